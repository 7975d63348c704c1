package org.iommufd4j.spi;

import java.util.List;
import java.util.Set;

/**
 * A driver's capabilities as data: what it supports and which page-table formats it exports.
 *
 * @param features what the driver can do
 * @param pageTableFormats names of the page-table formats its domains use
 * @param hwInfoType the IOMMU_GET_HW_INFO data type it reports (iommu_hw_info_type)
 */
public record DriverCapabilities(Set<DriverFeature> features, List<String> pageTableFormats, int hwInfoType) {
    public DriverCapabilities {
        features = Set.copyOf(features);
        pageTableFormats = List.copyOf(pageTableFormats);
    }
}
