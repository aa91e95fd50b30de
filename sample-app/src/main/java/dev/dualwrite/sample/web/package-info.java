/** What the REST API shares: its errors and how they are answered. */
@NullMarked
package dev.dualwrite.sample.web;

import org.jspecify.annotations.NullMarked;
