package dev.dualwrite.sample.benchmark.writepath;

import java.util.Map;

import dev.dualwrite.core.routing.RepositoryPairing;
import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.postgres.TokenRow;
import dev.dualwrite.sample.token.postgres.TokenRowRepository;

import org.springframework.context.annotation.Bean;
import org.springframework.data.repository.CrudRepository;

/**
 * Four more decorated token repositories for the write-path benchmark, one per stage, so that
 * every stage is measured side by side in one run without moving a stage between
 * measurements. Each pairs with the sample's own {@link TokenRowRepository}, under the same
 * key prefix and table as the sample's {@code TokenRepository}, and its stage is seeded with
 * {@code dual-write.repositories.<name>.strategy}.
 * <p>
 * Deliberately not a {@code @Configuration}: the benchmark passes it to the application as a
 * source, while the sample's component scan (which sees test classes too) must never pick it
 * up in the other tests.
 */
@EnableRedisJsonRepositories(basePackageClasses = StageRepositories.class, considerNestedRepositories = true)
public class StageRepositories {

    /** The repository name of each stage, as paired and as seeded. */
    public static final Map<WriteStrategy, String> NAMES = Map.of(WriteStrategy.REDIS_PRIMARY,
            "write_path_redis_primary", WriteStrategy.DUAL, "write_path_dual", WriteStrategy.POSTGRES_PRIMARY,
            "write_path_postgres_primary", WriteStrategy.POSTGRES_ONLY, "write_path_postgres_only");

    @Bean
    static RepositoryPairing<Token, TokenRow> writePathRedisPrimary() {
        return pairing(WriteStrategy.REDIS_PRIMARY, AtRedisPrimary.class);
    }

    @Bean
    static RepositoryPairing<Token, TokenRow> writePathDual() {
        return pairing(WriteStrategy.DUAL, AtDual.class);
    }

    @Bean
    static RepositoryPairing<Token, TokenRow> writePathPostgresPrimary() {
        return pairing(WriteStrategy.POSTGRES_PRIMARY, AtPostgresPrimary.class);
    }

    @Bean
    static RepositoryPairing<Token, TokenRow> writePathPostgresOnly() {
        return pairing(WriteStrategy.POSTGRES_ONLY, AtPostgresOnly.class);
    }

    private static RepositoryPairing<Token, TokenRow> pairing(WriteStrategy stage,
            Class<? extends CrudRepository<Token, String>> redisRepository) {
        return RepositoryPairing.of(NAMES.get(stage), redisRepository, TokenRowRepository.class)
            .mappedBy(TokenRow::fromToken, TokenRow::toToken);
    }

    /** Tokens at {@code REDIS_PRIMARY}. */
    public interface AtRedisPrimary extends CrudRepository<Token, String> {

    }

    /** Tokens at {@code DUAL}. */
    public interface AtDual extends CrudRepository<Token, String> {

    }

    /** Tokens at {@code POSTGRES_PRIMARY}. */
    public interface AtPostgresPrimary extends CrudRepository<Token, String> {

    }

    /** Tokens at {@code POSTGRES_ONLY}. */
    public interface AtPostgresOnly extends CrudRepository<Token, String> {

    }

}
