/**
 * {@code ./iommufd4j selftest}: runs the suite through the JUnit Platform launcher against one or
 * every loaded driver and prints TAP 13 as kselftest does.
 */
package org.iommufd4j.selftest.runner;
