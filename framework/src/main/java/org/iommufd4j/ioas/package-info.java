/**
 * IO address spaces: the IOAS object, its {@link org.iommufd4j.ioas.IoPagetable} (Linux's
 * io_pagetable: areas over shared pinned pages, allowed and reserved IOVA ranges, IOVA
 * allocation, the paging domains that mirror it, access pins) and the IOAS ioctls, contributed to
 * the dispatcher by {@link org.iommufd4j.ioas.IoasModule}; and emulated-device access
 * ({@link org.iommufd4j.ioas.IommufdAccess}, Linux's iommufd_access: pin IOVA pages, read and
 * write through an IOAS, replace its IOAS) with the kernel selftest's item-tracking driver on top
 * ({@link org.iommufd4j.ioas.SelftestAccess}).
 */
package org.iommufd4j.ioas;
