package org.iommufd4j.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./iommufd4j}: the command line. Exit codes: 0 ok, 1 failure, 2 usage error.
 */
@Command(name = "iommufd4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "The Linux iommufd subsystem in Java, with IOMMU drivers loaded as PF4J plugins.",
        subcommands = {PluginsCommand.class, PtCommand.class, ServeCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (a test failed, a plugin did not load, an error)", "2:usage error"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests and embedding). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The command tree: built-in commands, commands contributed by modules on the class path, and
     * for the rest a command that says what it awaits.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (CommandProvider provider : ServiceLoader.load(CommandProvider.class)) {
            cl.addSubcommand(provider.name(), provider.command());
        }
        addAwaiting(cl, "selftest", "Run the kernel's iommufd selftest suite against the loaded drivers, with TAP output.",
                "the ported selftest suite (issue #5)");
        addAwaiting(cl, "bench", "Run the JMH benchmarks of page-table formats and of the ioctl stack, and write a report.",
                "the benchmark suites (issue #7)");
        return cl;
    }

    private static void addAwaiting(CommandLine cl, String name, String description, String awaits) {
        if (!cl.getSubcommands().containsKey(name)) {
            cl.addSubcommand(AwaitingCommand.create(name, description, awaits));
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"iommufd4j " + (v == null ? "(development build)" : v)};
        }
    }
}
