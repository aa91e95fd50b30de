/**
 * Auto-configuration of the reconciler that drains repair records.
 */
@NullMarked
package dev.dualwrite.autoconfigure.repair;

import org.jspecify.annotations.NullMarked;
