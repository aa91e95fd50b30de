package dev.dualwrite.autoconfigure;

import java.util.List;
import java.util.UUID;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.note.Note;
import dev.dualwrite.autoconfigure.fixtures.note.jdbc.NoteRowRepository;
import dev.dualwrite.autoconfigure.fixtures.note.redis.NoteRepository;
import dev.dualwrite.autoconfigure.metrics.DualWriteMetricsAutoConfiguration;
import dev.dualwrite.core.metrics.DualWriteMetrics;
import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.core.redis.json.RedisJsonReadException;
import dev.dualwrite.testsupport.TestSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The values that multi-key reads of a paired JSON-string repository leave out because they
 * cannot be read are counted in {@value DualWriteMetrics#UNREADABLE_VALUES}, registered with
 * zero at startup, against the real servers.
 */
class RedisJsonUnreadableValueMetricsTests {

    private TestSchema schema;

    private String run;

    private ApplicationContextRunner contextRunner;

    @BeforeEach
    void createSchema() {
        this.schema = TestSchema.create(RedisJsonUnreadableValueMetricsTests.class);
        this.run = UUID.randomUUID().toString().substring(0, 8);
        this.contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    JdbcTemplateAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                    TransactionAutoConfiguration.class, DataJdbcRepositoriesAutoConfiguration.class,
                    DataRedisAutoConfiguration.class, FlywayAutoConfiguration.class,
                    DualWriteMetricsAutoConfiguration.class, DualWriteAutoConfiguration.class))
            .withPropertyValues(FixtureStores.properties(this.schema))
            .withPropertyValues("spring.flyway.locations=classpath:db/autoconf/notes", Note.RUN_PROPERTY + "=" + this.run)
            .withUserConfiguration(NoteRepositories.class);
    }

    @AfterEach
    void dropSchemaAndKeys() {
        this.schema.close();
        FixtureStores.deleteRedisKeys();
    }

    private String key(String id) {
        return "dwtest:autoconf:" + this.run + ":note:" + id;
    }

    @Test
    void unreadableValuesLeftOutOfListQueriesAreCountedUnderThePairName() {
        this.contextRunner.run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(unreadable(registry)).isZero();
            NoteRepository notes = context.getBean(NoteRepository.class);
            StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
            notes.saveAll(List.of(new Note("n1", "a"), new Note("n2", "a")));
            redis.opsForValue().set(key("bad-json"), "{\"text\":");
            redis.opsForHash().put(key("bad-hash"), "text", "a");

            assertThat(notes.findAll()).extracting(Note::id).containsExactlyInAnyOrder("n1", "n2");
            assertThat(unreadable(registry)).isEqualTo(2);
            assertThat(notes.findByText("a")).extracting(Note::id).containsExactlyInAnyOrder("n1", "n2");
            assertThat(unreadable(registry)).isEqualTo(4);
            assertThatThrownBy(() -> notes.findById("bad-json")).isInstanceOf(RedisJsonReadException.class)
                .hasMessageContaining(key("bad-json"));
        });
    }

    private static double unreadable(MeterRegistry registry) {
        return registry.get(DualWriteMetrics.UNREADABLE_VALUES).tags("repository", Note.TABLE).counter().count();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableRedisJsonRepositories(basePackageClasses = NoteRepository.class)
    @EnableJdbcRepositories(basePackageClasses = NoteRowRepository.class)
    static class NoteRepositories {

        @Bean
        SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

    }

}
