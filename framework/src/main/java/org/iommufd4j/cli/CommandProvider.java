package org.iommufd4j.cli;

/**
 * A subcommand that another module on the launcher's class path contributes (found with
 * {@link java.util.ServiceLoader}, registered in {@code META-INF/services}): {@code selftest}
 * comes from the selftest module, {@code bench} from the bench module. The framework does not
 * depend on them.
 */
public interface CommandProvider {
    /** The subcommand's name. */
    String name();

    /** A new picocli command object (a class annotated {@code @picocli.CommandLine.Command}). */
    Object command();
}
