package dev.dualwrite.backfill;

import dev.dualwrite.backfill.hashjdbc.SprocketRowRepository;
import dev.dualwrite.backfill.hashredis.SprocketRepository;
import dev.dualwrite.backfill.jdbc.GizmoRowRepository;
import dev.dualwrite.backfill.redis.GizmoRepository;
import dev.dualwrite.core.redis.json.EnableRedisJsonRepositories;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

/**
 * A host application with both Redis shapes: {@code backfill_gizmos} (JSON strings) and
 * {@code backfill_sprockets} ({@code @RedisHash}). Also started as a child process by the
 * tests that kill a run or check the one-shot run's exit status.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRedisJsonRepositories(basePackageClasses = GizmoRepository.class)
@EnableRedisRepositories(basePackageClasses = SprocketRepository.class)
@EnableJdbcRepositories(basePackageClasses = { GizmoRowRepository.class, SprocketRowRepository.class })
public class BackfillHostApplication {

    public static void main(String[] args) {
        SpringApplication.run(BackfillHostApplication.class, args);
    }

}
