package org.iommufd4j.spi;

import org.pf4j.ExtensionPoint;

/**
 * The extension point a driver plugin implements (annotated {@code @org.pf4j.Extension}). The
 * host finds it in the plugin's jar, then calls {@link #create} once with the services the driver
 * may use. Keep a public no-argument constructor: PF4J instantiates it.
 */
public interface IommuDriverFactory extends ExtensionPoint {
    /** A short unique name: {@code vtd}, {@code smmuv3}, {@code amdvi}, {@code mock}. */
    String name();

    /** One line for listings. */
    String description();

    /** Makes the driver for one host. */
    IommuDriver create(HostServices host);
}
