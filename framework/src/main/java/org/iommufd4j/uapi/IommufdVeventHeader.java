package org.iommufd4j.uapi;

/**
 * {@code struct iommufd_vevent_header}: precedes each event read from a vEVENTQ fd. {@code sequence}
 * runs 0..INT_MAX and wraps to 0; a gap means lost events, and a trailing header with
 * {@link IommuVeventqFlag#LOST_EVENTS} (and no payload) reports a loss at the tail.
 */
@KernelStruct(name = "iommufd_vevent_header", size = 8, sized = false)
public record IommufdVeventHeader(
        @At(offset = 0, bytes = 4) int flags,
        @At(offset = 4, bytes = 4) int sequence) {
}
