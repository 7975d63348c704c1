/**
 * Host memory and the processes that use it: {@link org.iommufd4j.memory.PhysicalMemory} (page
 * frames with reference and pin counters), {@link org.iommufd4j.memory.UserProcess} (the calling process: pinning, accounting, fds) with its simulated backend {@link org.iommufd4j.memory.SimProcess} (mappings,
 * memfds, fork, exit, long-term pinning, RLIMIT_MEMLOCK accounting) and the caller-memory view
 * {@link org.iommufd4j.memory.UserMemory}. Uses only {@code uapi} and {@code failnth}.
 */
package org.iommufd4j.memory;
