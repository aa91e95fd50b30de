/**
 * The configuration properties that several auto-configurations read: {@code dual-write.*}
 * (strategy, repositories, secondary protection, control plane, expiry) and
 * {@code dual-write.repair.*} (read by the repair logs the write path records into as well
 * as by the reconciler). They sit below every auto-configuration, so none of those needs
 * another's package to read them.
 */
@NullMarked
package dev.dualwrite.autoconfigure.properties;

import org.jspecify.annotations.NullMarked;
