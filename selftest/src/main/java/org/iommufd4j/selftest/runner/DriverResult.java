package org.iommufd4j.selftest.runner;

/**
 * What one run of the suite against one driver gave.
 *
 * @param driver the driver under test
 * @param planned cases planned (the "1..N" line)
 * @param pass cases that passed
 * @param fail cases that failed, or were planned and did not run
 * @param skipKernel cases that skipped themselves as the kernel's do with SKIP() (an aborted
 *     assumption, e.g. iommufd_viommu.no_viommu.*): by design, not a gap in the port
 * @param skipMockOnly cases skipped as mock-only on another driver
 * @param skipPending cases skipped as not ported yet (or partially ported)
 */
record DriverResult(String driver, int planned, int pass, int fail, int skipKernel, int skipMockOnly, int skipPending) {
    int skip() {
        return skipKernel + skipMockOnly + skipPending;
    }
}
