package org.iommufd4j.uapi;

/** {@code enum iommufd_page_response_code}: the {@code code} of {@link IommuHwptPageResponse} (PCIe 10.4.2.1). */
public final class IommuPageResponseCode {
    private IommuPageResponseCode() {
    }

    /** Handled, page tables populated: retry the access. */
    public static final int SUCCESS = 0;
    /** Could not handle it: do not retry. */
    public static final int INVALID = 1;
}
