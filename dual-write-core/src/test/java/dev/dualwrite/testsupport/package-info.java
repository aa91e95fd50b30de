/**
 * Test support shared by every module's tests (published as dual-write-core's test-jar):
 * where the real PostgreSQL and Redis are ({@link dev.dualwrite.testsupport.TestServers}),
 * per-test-class isolation on them ({@link dev.dualwrite.testsupport.TestSchema},
 * {@link dev.dualwrite.testsupport.TestKeyPrefix}) and a fault-injecting TCP proxy
 * ({@link dev.dualwrite.testsupport.TcpProxy}).
 */
@NullMarked
package dev.dualwrite.testsupport;

import org.jspecify.annotations.NullMarked;
