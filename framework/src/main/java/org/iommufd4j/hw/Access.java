package org.iommufd4j.hw;

/** The kind of DMA access a device makes, checked against a leaf's permissions. */
public enum Access {
    READ,
    WRITE
}
