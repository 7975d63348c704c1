/**
 * The harness the ported suite is written in: fixtures, variants and kernel tests as a JUnit 5
 * extension; the case catalogue and its one-to-one check; pending and mock-only marks; the machine
 * a case runs on and its teardown leak check; the fail_nth sweep.
 */
package org.iommufd4j.selftest.kit;
