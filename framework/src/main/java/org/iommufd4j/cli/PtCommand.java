package org.iommufd4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pt}: the page-table formats the driver plugins export, and dumps of tables built from them. */
@Command(name = "pt", mixinStandardHelpOptions = true,
        description = "Page-table formats: list them and dump page-table trees.",
        subcommands = {PtFormatsCommand.class, PtDumpCommand.class})
final class PtCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: formats or dump");
    }
}
