/**
 * The SMMUv3 command queue, both sides: {@link org.iommufd4j.drivers.smmuv3.cmdq.CmdqCommand}
 * encodes the commands (IHI 0070 §4, Linux arm-smmu-v3.h), {@link
 * org.iommufd4j.drivers.smmuv3.cmdq.CommandQueue} issues them with a CMD_SYNC as Linux does, and
 * {@link org.iommufd4j.drivers.smmuv3.cmdq.SmmuUnit} is the hardware that consumes them from host
 * memory, decodes them, applies them to the SMMU's TLB (tagged by ASID or VMID) and stops with
 * CERROR_ILL on anything it cannot accept. Streams of the SMMUv3 plugin translate DMA through that
 * TLB ({@code IommuDevice.unitIotlb}), so an invalidation the driver forgets is served stale and
 * reported by the framework's hardware model.
 */
package org.iommufd4j.drivers.smmuv3.cmdq;
