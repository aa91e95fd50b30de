/** The premium subscription REST API. */
@NullMarked
package dev.dualwrite.sample.subscription.web;

import org.jspecify.annotations.NullMarked;
