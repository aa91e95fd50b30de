/**
 * The verifier: proves that a repository's two stores agree, key by key and field by field,
 * and lists every difference; and repair of exactly the keys a verification report lists.
 */
@NullMarked
package dev.dualwrite.core.verify;

import org.jspecify.annotations.NullMarked;
