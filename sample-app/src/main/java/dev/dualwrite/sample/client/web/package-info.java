/**
 * The client API, over the SQLite repository only.
 */
@NullMarked
package dev.dualwrite.sample.client.web;

import org.jspecify.annotations.NullMarked;
