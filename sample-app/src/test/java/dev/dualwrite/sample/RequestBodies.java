package dev.dualwrite.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Request bodies of the API, as clients send them (mutable, so a test can remove or change a
 * field). Kept apart from the test classes, whose static schemas and key prefixes would
 * otherwise be created, and never dropped, by every class that borrows a body.
 */
final class RequestBodies {

    private RequestBodies() {
    }

    static Map<String, Object> token(String id, String holderAddress) {
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("id", id);
        token.put("imageHash", "bafyimage");
        token.put("metadataHash", "bafymeta");
        token.put("tokenUri", "ipfs://bafymeta");
        token.put("holderAddress", holderAddress);
        token.put("holderUsername", "alice");
        token.put("holderFid", 4242);
        token.put("holderDisplayName", "Alice");
        token.put("holderPfpUrl", "https://example.com/alice.png");
        token.put("transactionHash", "0x" + "1".repeat(64));
        token.put("timestamp", "2025-06-01T12:00:00.123456Z");
        token.put("attributes", List.of(Map.of("trait_type", "Background", "value", "Blue"),
                Map.of("trait_type", "Eyes", "value", "Laser")));
        token.put("sourceType", "cast");
        token.put("sourceCastHash", "0x" + "2".repeat(40));
        token.put("totalEligibleReactors", 17);
        return token;
    }

    static Map<String, Object> subscription(String plan, long fid) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("plan", plan);
        body.put("status", "active");
        body.put("startedAt", "2025-06-01T00:00:00Z");
        body.put("expiresAt", "2025-07-01T00:00:00Z");
        body.put("fid", fid);
        return body;
    }

}
