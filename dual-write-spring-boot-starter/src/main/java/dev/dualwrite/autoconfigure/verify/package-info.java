/**
 * Auto-configuration of the verifier: its actuator endpoint {@code dualwriteverify} and the
 * one-shot run ({@code dual-write.verify.run}) whose exit code gates a pipeline.
 */
@NullMarked
package dev.dualwrite.autoconfigure.verify;

import org.jspecify.annotations.NullMarked;
