package org.iommufd4j.selftest.kit;

/** The variants of a fixture that declares none: it runs each test once, as {@code fixture.test}. */
public enum NoVariants {
}
