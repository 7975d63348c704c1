/**
 * The kernel's iommufd selftest suite (tools/testing/selftests/iommu) ported to JUnit 5: a class
 * per kernel fixture ({@link org.iommufd4j.selftest.kit.Fixture}), a method per kernel test
 * ({@link org.iommufd4j.selftest.kit.KernelTest}) under the kernel's name, run once per variant.
 * It ships in this jar so it can run as a kit against any driver ({@code ./iommufd4j selftest}).
 */
package org.iommufd4j.selftest;
