package dev.dualwrite.sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.TokenAttribute;
import dev.dualwrite.sample.token.redis.TokenRepository;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backfill of the sample's tokens: values that go through conversions on their way to
 * PostgreSQL (an {@link Instant} to {@code timestamptz}, the attributes through the sample's
 * JSONB converter) arrive as the application itself would write them, row after row, and the
 * verifier finds the stores equal.
 */
@SpringBootTest
@DirtiesContext
class TokenBackfillTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(TokenBackfillTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(TokenBackfillTests.class);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        SampleTestServers.register(registry, schema, keys);
    }

    private static final Instant PRECISE = Instant.parse("2025-06-01T12:00:00.123456500Z");

    @Autowired
    TokenRepository tokens;

    @Autowired
    StrategySource strategies;

    @Autowired
    Backfill backfill;

    @Autowired
    Verifier verifier;

    @Autowired
    DualRepositoryRegistry registry;

    @Autowired
    JdbcClient jdbc;

    @Test
    void convertedColumnsArriveAsTheApplicationWritesThem() {
        List<Token> written = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            List<TokenAttribute> attributes = new ArrayList<>();
            for (int a = 0; a < i % 4; a++) {
                attributes.add(new TokenAttribute("trait-" + a, "value-" + i + "-" + a));
            }
            written.add(new Token("backfilled-" + i, "bafyimage" + i, null, null, "0x" + "3".repeat(40), "holder" + i,
                    (i % 3 == 0) ? null : (long) i, null, null, null,
                    (i == 0) ? PRECISE : Instant.parse("2025-06-01T12:00:00Z").plusNanos(i * 1_001_000L), attributes,
                    "cast", null, i));
        }
        this.tokens.saveAll(written);
        this.strategies.change("tokens", WriteStrategy.DUAL, false);

        BackfillReport report = this.backfill.run(List.of("tokens"), this.backfill.defaults().withBatchSize(50))
            .reports()
            .get(0);

        assertThat(report.state()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.rowsWritten()).isEqualTo(240);
        assertThat(report.rowsRejected()).isZero();
        VerificationReport verification = this.verifier.verify(Verifier.find(this.registry::all, "tokens"),
                VerifyOptions.full());
        assertThat(verification.agree()).as(verification.summary()).isTrue();
        assertThat(verification.compared()).isEqualTo(240);
        // Nanoseconds PostgreSQL cannot keep end up as the application's own write leaves them.
        Token live = new Token("written-live", null, null, null, "0x" + "3".repeat(40), null, null, null, null, null,
                PRECISE, List.of(), null, null, null);
        this.tokens.save(live);
        assertThat(this.jdbc.sql("SELECT DISTINCT timestamp FROM tokens WHERE id IN (?, ?)")
            .params(written.get(0).id(), live.id())
            .query(Instant.class)
            .list()).hasSize(1);
        Token last = written.get(239);
        assertThat(this.jdbc.sql("SELECT timestamp FROM tokens WHERE id = ?")
            .param(last.id())
            .query(Instant.class)
            .single()).isEqualTo(last.timestamp());
        assertThat(this.jdbc.sql("SELECT attributes = CAST(? AS jsonb) FROM tokens WHERE id = ?")
            .params("[{\"trait_type\":\"trait-0\",\"value\":\"value-239-0\"},"
                    + "{\"trait_type\":\"trait-1\",\"value\":\"value-239-1\"},"
                    + "{\"trait_type\":\"trait-2\",\"value\":\"value-239-2\"}]", last.id())
            .query(Boolean.class)
            .single()).isTrue();
    }

}
