package dev.dualwrite.sample;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * What the sample's HTTP tests share: a client of the running application, and direct access
 * to both stores to check what they really hold. Each subclass keeps its own schema and key
 * prefix ({@link SampleTestServers}).
 */
abstract class SampleHttpTests {

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    JdbcClient jdbc;

    RestTestClient http;

    @BeforeEach
    void client() {
        this.http = RestTestClient.bindToServer().baseUrl("http://localhost:" + this.port).build();
    }

}
