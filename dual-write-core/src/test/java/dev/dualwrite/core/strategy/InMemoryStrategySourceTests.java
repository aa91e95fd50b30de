package dev.dualwrite.core.strategy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryStrategySourceTests {

    private final InMemoryStrategySource source = new InMemoryStrategySource(WriteStrategy.REDIS_PRIMARY,
            Map.of("tokens", WriteStrategy.DUAL));

    @Test
    void repositoriesWithoutOverrideUseTheDefault() {
        assertThat(this.source.strategyFor("subscriptions")).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        assertThat(this.source.strategyFor("tokens")).isEqualTo(WriteStrategy.DUAL);
    }

    @Test
    void movesOneStageForwardOrBack() {
        StrategyChange forward = this.source.change("tokens", WriteStrategy.POSTGRES_PRIMARY, false);
        assertThat(forward.from()).isEqualTo(WriteStrategy.DUAL);
        assertThat(forward.to()).isEqualTo(WriteStrategy.POSTGRES_PRIMARY);
        assertThat(forward.forced()).isFalse();
        this.source.change("tokens", WriteStrategy.DUAL, false);
        assertThat(this.source.strategyFor("tokens")).isEqualTo(WriteStrategy.DUAL);
    }

    @Test
    void refusesToSkipAStageUnlessForced() {
        assertThatThrownBy(() -> this.source.change("tokens", WriteStrategy.POSTGRES_ONLY, false))
            .isInstanceOf(StrategyChangeException.class)
            .hasMessageContaining("'tokens'")
            .hasMessageContaining("from DUAL to POSTGRES_ONLY")
            .hasMessageContaining("one at a time");
        assertThat(this.source.strategyFor("tokens")).isEqualTo(WriteStrategy.DUAL);
        StrategyChange forced = this.source.change("tokens", WriteStrategy.POSTGRES_ONLY, true);
        assertThat(forced.forced()).isTrue();
        assertThat(this.source.strategyFor("tokens")).isEqualTo(WriteStrategy.POSTGRES_ONLY);
    }

    @Test
    void eachStageNamesItsPrimarySecondaryAndReadStore() {
        assertThat(WriteStrategy.REDIS_PRIMARY.primary()).isEqualTo(Store.REDIS);
        assertThat(WriteStrategy.REDIS_PRIMARY.secondary()).isNull();
        assertThat(WriteStrategy.DUAL.secondary()).isEqualTo(Store.POSTGRES);
        assertThat(WriteStrategy.DUAL.readStore()).isEqualTo(Store.REDIS);
        assertThat(WriteStrategy.POSTGRES_PRIMARY.primary()).isEqualTo(Store.POSTGRES);
        assertThat(WriteStrategy.POSTGRES_PRIMARY.secondary()).isEqualTo(Store.REDIS);
        assertThat(WriteStrategy.POSTGRES_PRIMARY.readStore()).isEqualTo(Store.POSTGRES);
        assertThat(WriteStrategy.POSTGRES_ONLY.secondary()).isNull();
    }

}
