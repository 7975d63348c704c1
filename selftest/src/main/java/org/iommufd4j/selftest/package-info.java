/**
 * The kernel's iommufd selftest suite (tools/testing/selftests/iommu) ported to JUnit 5. It
 * ships in this jar so it can run as a kit against any driver; a class per kernel fixture, named
 * with {@code @DisplayName} after the fixture, and a method per test, named as in the kernel.
 */
package org.iommufd4j.selftest;
