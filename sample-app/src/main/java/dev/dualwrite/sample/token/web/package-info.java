/** The token REST API. */
@NullMarked
package dev.dualwrite.sample.token.web;

import org.jspecify.annotations.NullMarked;
