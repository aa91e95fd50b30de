package dev.dualwrite.autoconfigure.endpoint;

import dev.dualwrite.autoconfigure.fixtures.widget.Widget;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import org.junit.jupiter.api.AfterEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What the endpoint tests against a running host share: its port, its strategies, and a
 * reset to {@code REDIS_PRIMARY} after each test. Each subclass keeps its own schema and
 * security set-up.
 */
abstract class EndpointHostTests {

    protected static final String WIDGETS = Widget.TABLE;

    @LocalServerPort
    protected int port;

    @Autowired
    protected StrategySource strategies;

    @AfterEach
    void resetStrategy() {
        this.strategies.change(WIDGETS, WriteStrategy.REDIS_PRIMARY, true);
    }

    protected EndpointClient client() {
        return new EndpointClient(this.port);
    }

}
