/**
 * The {@code dualwrite} health indicator: per repository, the shared stage, whether every
 * instance applies it, and the repair backlog of each store.
 */
@NullMarked
package dev.dualwrite.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
