package org.iommufd4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A command whose work has not landed yet: it has its name and help text, and when run it says
 * what it awaits and exits 1 rather than pretend to work.
 */
final class AwaitingCommand implements Callable<Integer> {
    private final String name;
    private final String awaits;
    private CommandLine commandLine;

    private AwaitingCommand(String name, String awaits) {
        this.name = name;
        this.awaits = awaits;
    }

    static CommandLine create(String name, String description, String awaits) {
        AwaitingCommand command = new AwaitingCommand(name, awaits);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        spec.name(name).mixinStandardHelpOptions(true);
        spec.usageMessage().description(description, "Not available yet: awaits " + awaits + ".");
        command.commandLine = new CommandLine(spec);
        return command.commandLine;
    }

    @Override
    public Integer call() {
        commandLine.getErr().println("iommufd4j " + name + ": not available yet; it awaits " + awaits + ".");
        return 1;
    }
}
