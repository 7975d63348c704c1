package org.iommufd4j.memory;

/** What a descriptor of a {@link SimProcess} refers to (Linux's {@code struct file}): a shmem file or an anon inode file. */
sealed interface OpenFile permits SimFile, AnonFile {
}
