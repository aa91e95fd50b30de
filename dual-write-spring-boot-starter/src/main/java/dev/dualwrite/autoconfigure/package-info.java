/**
 * Spring Boot auto-configuration and properties of dual-write.
 */
@NullMarked
package dev.dualwrite.autoconfigure;

import org.jspecify.annotations.NullMarked;
