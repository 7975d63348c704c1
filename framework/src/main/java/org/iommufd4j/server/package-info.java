/**
 * The uAPI server: iommufd4j behind a Unix domain socket, so that unmodified C programs written
 * for {@code /dev/iommu} run against it through the preload shim. The wire protocol is
 * docs/uapi-server.md; {@link org.iommufd4j.server.UapiServer} is the entry point. A composition
 * root like {@code cli}: it builds a machine and may use every framework package.
 */
package org.iommufd4j.server;
