package org.iommufd4j.selftest.runner;

/**
 * What one run of the suite against one driver gave.
 *
 * @param driver the driver under test
 * @param planned cases planned (the "1..N" line)
 * @param pass cases that passed
 * @param fail cases that failed, or were planned and did not run
 * @param skipMockOnly cases skipped as mock-only on another driver
 * @param skipPending cases skipped as not ported yet (or partially ported)
 */
record DriverResult(String driver, int planned, int pass, int fail, int skipMockOnly, int skipPending) {
    int skip() {
        return skipMockOnly + skipPending;
    }
}
