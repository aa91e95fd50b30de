package dev.dualwrite.durability;

import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.durability.hashjdbc.NutRowRepository;
import dev.dualwrite.durability.hashredis.NutRepository;
import dev.dualwrite.durability.jdbc.BoltRowRepository;
import dev.dualwrite.durability.redis.BoltRepository;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application with both Redis shapes, {@code durability_bolts} (JSON strings) and
 * {@code durability_nuts} ({@code @RedisHash}). Started in the test's JVM to verify and
 * repair, and as a child process that writes until it is killed: {@link KillableWriters}
 * saving and deleting bolts and nuts, or, with {@code dwtest.writer.once=<id>}, one save of
 * one bolt.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisJsonRepositories(basePackageClasses = BoltRepository.class)
@EnableRedisRepositories(basePackageClasses = NutRepository.class)
@EnableJdbcRepositories(basePackageClasses = { BoltRowRepository.class, NutRowRepository.class })
public class WriterApplication {

    public static void main(String[] args) {
        // Writers are daemon threads: once the runners have returned (the writers' after their
        // lifetime), the child exits even if the test that started it failed to kill it.
        System.exit(SpringApplication.exit(SpringApplication.run(WriterApplication.class, args)));
    }

    @Bean
    @ConditionalOnProperty("dwtest.writer.threads")
    ApplicationRunner writers(BoltRepository bolts, NutRepository nuts, Environment environment) {
        return KillableWriters.runner(environment, (random, id, value) -> {
            switch (random.nextInt(10)) {
                case 0, 1, 2, 3 -> bolts.save(new Bolt(id, "bolt " + value, value));
                case 4 -> bolts.deleteById(id);
                case 5, 6, 7, 8 -> nuts.save(new Nut(id, "nut " + value, value));
                default -> nuts.deleteById(id);
            }
        });
    }

    @Bean
    @ConditionalOnProperty("dwtest.writer.once")
    ApplicationRunner oneWrite(BoltRepository bolts, Environment environment) {
        String id = environment.getRequiredProperty("dwtest.writer.once");
        return (arguments) -> {
            bolts.save(new Bolt(id, "written once", 1));
            System.out.println("dwtest: saved " + id);
        };
    }

}
