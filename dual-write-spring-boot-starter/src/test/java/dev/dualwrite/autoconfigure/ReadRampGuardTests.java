package dev.dualwrite.autoconfigure;

import dev.dualwrite.autoconfigure.fixtures.FixtureStores;
import dev.dualwrite.autoconfigure.fixtures.WidgetHost;
import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.core.routing.ReadRouting;
import dev.dualwrite.core.routing.ReadRoutingSource;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ramped reads stay within what the control plane's gates allow, however they were set,
 * against the real servers.
 */
class ReadRampGuardTests {

    private static final String WIDGETS = Widget.TABLE;

    private TestSchema schema;

    private ApplicationContextRunner contextRunner;

    @BeforeEach
    void createSchema() {
        this.schema = TestSchema.create(ReadRampGuardTests.class);
        this.contextRunner = WidgetHost.on(this.schema);
    }

    @AfterEach
    void dropSchemaAndKeys() {
        this.schema.close();
        FixtureStores.deleteRedisKeys();
    }

    @Test
    void aShareConfiguredInPropertiesIsTurnedOffAtStartupWhileNoBackfillAndVerificationAllowIt() {
        this.contextRunner
            .withPropertyValues("dual-write.strategy=DUAL", "dual-write.repositories." + WIDGETS + ".read-percent=50",
                    "dual-write.repositories." + WIDGETS + ".shadow-read-percent=5")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                // The repository is paired once every singleton exists: by now it registered.
                assertThat(context.getBean(StrategySource.class).strategyFor(WIDGETS)).isEqualTo(WriteStrategy.DUAL);
                assertThat(context.getBean(ReadRoutingSource.class).routingFor(WIDGETS))
                    .isEqualTo(new ReadRouting(0, java.util.Map.of(), 5));
            });
    }

    @Test
    void aShareIsTurnedOffWhenTheRepositoryGoesBackToRedisPrimary() {
        this.contextRunner.withPropertyValues("dual-write.strategy=DUAL").run((context) -> {
            ReadRoutingSource routings = context.getBean(ReadRoutingSource.class);
            StrategySource strategies = context.getBean(StrategySource.class);
            // Set as an operator could have after a backfill and a clean verification.
            routings.change(WIDGETS, new ReadRouting(30, java.util.Map.of("findById", 60), 0));
            strategies.change(WIDGETS, WriteStrategy.REDIS_PRIMARY, false);
            assertThat(routings.routingFor(WIDGETS)).isEqualTo(ReadRouting.NONE);
        });
    }

}
