/**
 * Spring Boot auto-configuration of dual-write: the repository decorator with its write
 * and read paths, the repair logs, the control plane and the library's schema. The
 * auto-configurations of the other features (repair, verify, backfill, endpoints, health,
 * metrics) live in sub-packages and order themselves around this one.
 */
@NullMarked
package dev.dualwrite.autoconfigure;

import org.jspecify.annotations.NullMarked;
