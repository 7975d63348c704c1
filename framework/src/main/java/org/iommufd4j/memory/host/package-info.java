/**
 * The second backend of {@link org.iommufd4j.memory.UserProcess}: a real Linux process, reached
 * through {@code /proc/<pid>}. Its memory is read and written through {@code /proc/<pid>/mem}; a
 * page it pins is an externally backed frame of {@link org.iommufd4j.memory.PhysicalMemory} whose
 * bytes are the process's own page, so device DMA changes the program's buffer. Its uid, capability
 * set and RLIMIT_MEMLOCK come from {@code /proc/<pid>/status} and {@code /proc/<pid>/limits}.
 * Uses only {@code memory}, {@code uapi} and {@code failnth}.
 */
package org.iommufd4j.memory.host;
