/**
 * Contract tests published with dual-write-core's test jar: abstract JUnit classes that an
 * implementation of one of the library's plug-in points extends with a few overrides, to
 * prove it keeps the protocol the library relies on
 * ({@link dev.dualwrite.testsupport.contract.AbstractOldStoreRepairLogContractTests},
 * {@link dev.dualwrite.testsupport.contract.AbstractOldStoreScannerContractTests}).
 */
@NullMarked
package dev.dualwrite.testsupport.contract;

import org.jspecify.annotations.NullMarked;
