package dev.dualwrite.expiry.app;

import dev.dualwrite.contract.FailFastRedisClient;
import dev.dualwrite.core.routing.RepositoryPairing;
import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;
import dev.dualwrite.expiry.app.hash.VisitRepository;
import dev.dualwrite.expiry.app.jdbc.SessionRowRepository;
import dev.dualwrite.expiry.app.jdbc.VisitRowRepository;
import dev.dualwrite.expiry.app.json.SessionRepository;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.core.RedisKeyValueAdapter.ShadowCopy;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application with keys that expire, in both Redis shapes: JSON-string sessions whose
 * rows carry the expiry in the property named by
 * {@code dual-write.repositories.sessions.expiry.property}, and {@code @RedisHash} visits whose
 * rows mark it with {@code @ExpiresAt}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisJsonRepositories(basePackageClasses = SessionRepository.class)
// The phantom copies that Spring Data keeps for expiry events, so the tests see them follow.
@EnableRedisRepositories(basePackageClasses = VisitRepository.class, shadowCopy = ShadowCopy.ON)
@EnableJdbcRepositories(basePackageClasses = SessionRowRepository.class)
@Import(FailFastRedisClient.class)
public class ExpiryApplication {

    public static final String SESSIONS = "sessions";

    public static final String VISITS = "visits";

    @Bean
    RepositoryPairing<Session, SessionRow> sessions() {
        return RepositoryPairing.of(SESSIONS, SessionRepository.class, SessionRowRepository.class)
            .mappedBy(SessionRow::of, SessionRow::toSession);
    }

    @Bean
    RepositoryPairing<Visit, VisitRow> visits() {
        return RepositoryPairing.of(VISITS, VisitRepository.class, VisitRowRepository.class)
            .mappedBy(VisitRow::of, VisitRow::toVisit);
    }

}
