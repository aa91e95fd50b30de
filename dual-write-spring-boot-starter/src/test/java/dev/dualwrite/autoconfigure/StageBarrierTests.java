package dev.dualwrite.autoconfigure;

import java.time.Duration;
import java.util.UUID;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.autoconfigure.fixtures.widget.redis.WidgetRepository;
import dev.dualwrite.core.control.ControlPlane;
import dev.dualwrite.core.control.InstanceStage;
import dev.dualwrite.core.control.StageMove;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance acknowledges a new stage only once the writes it began under the previous one
 * are over, including the part that happens when the caller's transaction commits: against
 * the real servers, with the application's own transaction held open across a move.
 */
class StageBarrierTests {

    private static final String WIDGETS = Widget.TABLE;

    private TestSchema schema;

    private ApplicationContextRunner contextRunner;

    @BeforeEach
    void createSchema() {
        this.schema = TestSchema.create(StageBarrierTests.class);
        this.contextRunner = WidgetHost.on(this.schema)
            .withPropertyValues("dual-write.strategy=POSTGRES_ONLY", "dual-write.control.poll-interval=100ms",
                    "dual-write.control.heartbeat-interval=200ms", "dual-write.control.drain-timeout=100ms");
    }

    @AfterEach
    void dropSchemaAndKeys() {
        this.schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void aWriteInsideTheCallersTransactionHoldsItsStageUntilTheTransactionCompletes() {
        this.contextRunner.run((context) -> {
            ControlPlane controlPlane = context.getBean(ControlPlane.class);
            WidgetRepository widgets = context.getBean(WidgetRepository.class);
            String id = "held-" + UUID.randomUUID();
            long before = controlPlane.stage(WIDGETS).epoch();
            new TransactionTemplate(context.getBean(PlatformTransactionManager.class)).executeWithoutResult((tx) -> {
                // Written at POSTGRES_ONLY: the row and its rollback record commit only with
                // this transaction, so the instance must not say it left POSTGRES_ONLY yet.
                widgets.save(new Widget(id, "in-transaction", 1));
                controlPlane.move(StageMove.of(WIDGETS, WriteStrategy.POSTGRES_PRIMARY, "test", "rollback"));
                assertThat(controlPlane.strategyFor(WIDGETS)).isEqualTo(WriteStrategy.POSTGRES_PRIMARY);
                assertThat(acknowledged(controlPlane)).isEqualTo(before);
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged(controlPlane) == before + 1);
            // The write kept its key for the rollback, so Redis gets it now.
            assertThat(context.getBean(JdbcTemplate.class)
                .queryForObject("select count(*) from dualwrite_repair where repository = ? and entity_key = ?",
                        Long.class, WIDGETS, id)).isOne();
        });
    }

    private static long acknowledged(ControlPlane controlPlane) {
        return controlPlane.instances(WIDGETS)
            .stream()
            .filter((instance) -> instance.instanceId().equals(controlPlane.instanceId()))
            .mapToLong(InstanceStage::epoch)
            .findFirst()
            .orElseThrow();
    }

}
