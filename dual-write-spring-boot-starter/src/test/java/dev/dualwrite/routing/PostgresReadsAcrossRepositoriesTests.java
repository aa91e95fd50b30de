package dev.dualwrite.routing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.verify.app.ParityCounter;
import dev.dualwrite.verify.app.ParityJsonApplication;
import dev.dualwrite.verify.app.ParityToken;
import dev.dualwrite.verify.app.redis.ParityCounterRepository;
import dev.dualwrite.verify.app.redis.ParityTokenRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Reads served by PostgreSQL for two repositories whose Redis interfaces share an inherited
 * method ({@code CrudRepository.findAll}) while their JDBC interfaces answer it from
 * different declarations ({@code ListCrudRepository} for one, {@code CrudRepository} for the
 * other): each repository calls its own.
 */
@DirtiesContext
@SpringBootTest(classes = ParityJsonApplication.class,
        properties = { "spring.flyway.locations=classpath:db/parity/verify", "dual-write.repair.enabled=false",
                "dual-write.strategy=POSTGRES_PRIMARY" })
class PostgresReadsAcrossRepositoriesTests {

    private static final List<String> TABLES = List.of("parity_tokens", "parity_counters");

    private static final ContractStores stores = ContractStores.start(PostgresReadsAcrossRepositoriesTests.class,
            "dwtest:parity:verify:");

    @Autowired
    private ParityCounterRepository counters;

    @Autowired
    private ParityTokenRepository tokens;

    @Autowired
    private StrategySource strategies;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterAll
    static void cleanUp() {
        stores.clear(TABLES, TABLES);
        stores.close();
    }

    @Test
    void anInheritedReadMethodIsServedByEachRepositorysOwnCounterpart() {
        assertThat(this.strategies.strategyFor("parity_tokens")).isEqualTo(WriteStrategy.POSTGRES_PRIMARY);
        stores.postgres().update("insert into parity_counters (id, label) values (1, 'one')");
        stores.postgres()
            .update("insert into parity_tokens (id, holder, amount, minted_at, quantity) values (?, ?, ?, ?, ?)", "t",
                    "Ann", new BigDecimal("1.5"), Timestamp.from(Instant.parse("2024-05-01T10:00:00Z")), 2);

        assertThat(this.counters.findAll()).containsExactly(new ParityCounter(1L, "one"));
        assertThat(this.tokens.findAll()).extracting(ParityToken::id, ParityToken::holder)
            .containsExactly(tuple("t", "Ann"));
    }

}
