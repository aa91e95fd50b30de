package dev.dualwrite.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.List;

import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.TokenAttribute;
import dev.dualwrite.sample.token.redis.TokenRepository;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default run, as {@code main} starts it with nothing configured: an embedded PostgreSQL
 * and Redis start, the service works on them, the log says which servers it uses, and both
 * are gone once the application stops. Exclude with {@code -DexcludedGroups=embedded} if it
 * is ever too slow (initdb takes a few seconds).
 */
@Tag("embedded")
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedServersTests {

    @Test
    void startsEmbeddedServersWhenNoneAreConfiguredAndStopsThemWithTheApplication(CapturedOutput output) {
        int postgresPort;
        int redisPort;
        try (ConfigurableApplicationContext context = SampleApplication.application()
            .run("--server.port=0", "--spring.jmx.enabled=false")) {
            Environment environment = context.getEnvironment();
            String url = environment.getRequiredProperty("spring.datasource.url");
            assertThat(url).matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/postgres");
            postgresPort = Integer.parseInt(url.replaceAll(".*:(\\d+)/.*", "$1"));
            assertThat(environment.getProperty("spring.data.redis.host")).isEqualTo("127.0.0.1");
            redisPort = environment.getRequiredProperty("spring.data.redis.port", Integer.class);

            Token token = new Token("embedded-1", null, null, null, "0x" + "9".repeat(40), "eve", 9L, null, null, null,
                    Instant.parse("2025-06-01T00:00:00Z"), List.of(new TokenAttribute("Background", "Blue")), null,
                    null, null);
            context.getBean(TokenRepository.class).save(token);
            assertThat(context.getBean(TokenRepository.class).findById("embedded-1")).contains(token);
            assertThat(context.getBean(StringRedisTemplate.class).opsForValue().get("token:embedded-1"))
                .contains("\"holderUsername\":\"eve\"");
            // Flyway ran on the embedded PostgreSQL; REDIS_PRIMARY leaves the table empty.
            assertThat(context.getBean(JdbcClient.class).sql("SELECT count(*) FROM tokens").query(Long.class).single())
                .isZero();
        }

        assertThat(output).contains("PostgreSQL: using embedded server at 127.0.0.1:" + postgresPort)
            .contains("Redis: using embedded server at 127.0.0.1:" + redisPort);
        assertThat(listening(postgresPort)).as("embedded PostgreSQL stopped").isFalse();
        assertThat(listening(redisPort)).as("embedded Redis stopped").isFalse();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

}
