/**
 * Machinery shared by the library's packages; not part of its API.
 */
@NullMarked
package dev.dualwrite.core.support;

import org.jspecify.annotations.NullMarked;
