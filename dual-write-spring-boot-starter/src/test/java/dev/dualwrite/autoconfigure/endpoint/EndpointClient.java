package dev.dualwrite.autoconfigure.endpoint;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Talks to the {@code dualwrite} actuator endpoint of a running server over real HTTP,
 * anonymously or with HTTP Basic credentials.
 */
final class EndpointClient {

    private static final JsonMapper json = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;

    EndpointClient(int port) {
        this.baseUrl = "http://localhost:" + port + "/actuator/dualwrite";
    }

    HttpResponse<String> get(String path, @Nullable String user, @Nullable String password) {
        return send(request(path, user, password).GET().build());
    }

    HttpResponse<String> post(String path, String body, @Nullable String user, @Nullable String password) {
        return send(request(path, user, password).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
    }

    static JsonNode body(HttpResponse<String> response) {
        return json.readTree(response.body());
    }

    private HttpRequest.Builder request(String path, @Nullable String user, @Nullable String password) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.baseUrl + path))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json");
        if (user != null) {
            String credentials = user + ":" + password;
            request.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return this.http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new IllegalStateException("Request " + request + " failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending " + request, ex);
        }
    }

}
