package dev.dualwrite.sample;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.TokenAttribute;
import dev.dualwrite.sample.token.postgres.TokenAttributes;
import dev.dualwrite.sample.token.postgres.TokenRow;
import dev.dualwrite.sample.token.postgres.TokenRowRepository;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL side of tokens: {@link TokenRow} maps column by column, attributes
 * round-trip through the JSONB column as the same JSON Redis holds, and a containment query
 * on them is served by the GIN index.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class TokenRowMappingTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(TokenRowMappingTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(TokenRowMappingTests.class);

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        SampleTestServers.register(registry, schema, keys);
    }

    private static final TokenAttribute BLUE = new TokenAttribute("Background", "Blue");

    private static final TokenAttribute RED = new TokenAttribute("Background", "Red");

    private static final TokenAttribute LASER = new TokenAttribute("Eyes", "Laser");

    @Autowired
    TokenRowRepository rows;

    @Autowired
    JdbcAggregateOperations aggregates;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void aRowRoundTripsColumnByColumnWithItsAttributesAsJsonb() {
        TokenRow row = TokenRow.fromToken(token("0x" + "a".repeat(40), BLUE, LASER));

        this.aggregates.insert(row);

        assertThat(this.rows.findById(row.id())).contains(row);
        String json = this.jdbc.sql("SELECT attributes::text FROM tokens WHERE id = ?")
            .param(row.id())
            .query(String.class)
            .single();
        assertThat(json).isEqualTo("[{\"value\": \"Blue\", \"trait_type\": \"Background\"}, "
                + "{\"value\": \"Laser\", \"trait_type\": \"Eyes\"}]");
        assertThat(this.jdbc.sql("SELECT holder_fid FROM tokens WHERE id = ?").param(row.id()).query(Long.class).single())
            .isEqualTo(4242L);
    }

    @Test
    void aTokenAndItsRowConvertBothWays() {
        Token token = token("0x" + "b".repeat(40), BLUE, LASER);

        assertThat(TokenRow.fromToken(token).toToken()).isEqualTo(token);
        Token bare = new Token("t-bare", null, null, null, "0x" + "b".repeat(40), null, null, null, null, null,
                Instant.parse("2025-01-01T00:00:00Z"), List.of(), null, null, null);
        assertThat(TokenRow.fromToken(bare).toToken()).isEqualTo(bare);
    }

    @Test
    void aRowWrittenWithoutAttributesReadsAsNone() {
        String id = "t-" + UUID.randomUUID();
        this.jdbc.sql("INSERT INTO tokens (id, holder_address, timestamp) VALUES (?, ?, now())")
            .params(id, "0x" + "c".repeat(40))
            .update();

        assertThat(this.rows.findById(id)).hasValueSatisfying((row) -> assertThat(row.attributes().values()).isEmpty());
    }

    @Test
    void derivedFindersAndTheContainmentQueryWork() {
        String holder = "0x" + "d".repeat(40);
        TokenRow blueLaser = TokenRow.fromToken(token(holder, BLUE, LASER));
        TokenRow blue = TokenRow.fromToken(token(holder, BLUE));
        TokenRow red = TokenRow.fromToken(token("0x" + "e".repeat(40), RED, LASER));
        List.of(blueLaser, blue, red).forEach(this.aggregates::insert);

        assertThat(this.rows.findByHolderAddress(holder)).containsExactlyInAnyOrder(blueLaser, blue);
        assertThat(this.rows.findContaining(TokenAttributes.of(BLUE))).containsExactlyInAnyOrder(blueLaser, blue);
        assertThat(this.rows.findContaining(TokenAttributes.of(LASER, BLUE))).containsExactly(blueLaser);
        assertThat(this.rows.findContaining(TokenAttributes.of(new TokenAttribute("Eyes", "Sleepy")))).isEmpty();
    }

    @Test
    void theContainmentQueryCanUseTheGinIndex() {
        List<String> plan = this.transactions.execute((status) -> {
            // A tiny table is scanned sequentially; forbidding that shows the index can serve it.
            this.jdbc.sql("SET LOCAL enable_seqscan = off").update();
            return this.jdbc.sql("EXPLAIN SELECT * FROM tokens WHERE attributes @> CAST(? AS jsonb)")
                .param("[{\"trait_type\":\"Background\",\"value\":\"Blue\"}]")
                .query(String.class)
                .list();
        });

        assertThat(String.join("\n", plan)).contains("idx_tokens_attributes");
    }

    private static Token token(String holder, TokenAttribute... attributes) {
        return new Token("t-" + UUID.randomUUID(), "bafyimage", "bafymeta", "ipfs://bafymeta", holder, "alice", 4242L,
                "Alice", "https://example.com/alice.png", "0x" + "1".repeat(64),
                Instant.parse("2025-06-01T12:00:00.123456Z"), List.of(attributes), "cast", "0x" + "2".repeat(40), 17);
    }

}
