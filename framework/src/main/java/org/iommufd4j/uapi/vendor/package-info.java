/**
 * Driver-specific user data of include/uapi/linux/iommufd.h: the structs behind
 * {@code iommu_hwpt_alloc.data_uptr}, {@code iommu_hw_info.data_uptr}, HWPT_INVALIDATE entries and
 * vEVENTQ payloads, per vendor (pagetable-formats.md §2.6, §3.6, §4.6). None starts with a
 * {@code size} header. Fixed {@code __aligned_le64 x[n]} arrays are n {@code long} components
 * ({@code x0}, {@code x1}, ...) so a driver reads hardware words directly.
 */
package org.iommufd4j.uapi.vendor;
