package dev.dualwrite.core.routing;

import java.time.Instant;
import java.util.List;

/**
 * One shadow read whose two answers differed. Holds field names, never values, since these
 * may be personal data.
 * @param repository the repository name
 * @param method the repository method
 * @param key the entity key, or a summary of the arguments for reads without one key
 * @param differences the differing fields
 * @param at when the mismatch was seen
 */
public record ShadowMismatch(String repository, String method, String key, List<String> differences, Instant at) {
}
