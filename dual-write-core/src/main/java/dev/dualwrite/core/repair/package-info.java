/**
 * Durable records of keys whose two stores may differ, kept until the stores agree again.
 */
@NullMarked
package dev.dualwrite.core.repair;

import org.jspecify.annotations.NullMarked;
