package io.blksnap.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The top level: subcommands built lazily, help and errors as before. */
class CommandLineTest {

    @Test
    void buildsOnlyTheSubcommandNamedFirst() {
        assertEquals(Set.of("snapshot"), BlksnapCommand.commandLine("snapshot", "-l", "x.qcow2").getSubcommands().keySet());
        assertEquals(Set.of("run"), BlksnapCommand.commandLine("run").getSubcommands().keySet());
    }

    @Test
    void buildsAllForHelpVersionAndUnknownCommands() {
        List<String> all = List.of(BlksnapCommand.SUBCOMMANDS);
        for (String[] args : new String[][] {{}, {"--help"}, {"-V"}, {"snapshots"}}) {
            assertEquals(all, List.copyOf(BlksnapCommand.commandLine(args).getSubcommands().keySet()));
        }
    }

    @Test
    void helpListsEverySubcommand() {
        Blksnap.Run r = Blksnap.run("--help").ok();
        for (String name : BlksnapCommand.SUBCOMMANDS) {
            assertTrue(r.out().contains("  " + name + " "), name + " missing from\n" + r.out());
        }
    }

    @Test
    void unknownCommandIsAUsageError() {
        Blksnap.Run r = Blksnap.run("snapshots", "-l", "x.qcow2");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().startsWith("blksnap: "), r.err());
    }

    @Test
    void aSubcommandsUsageErrorNamesIt() {
        Blksnap.Run r = Blksnap.run("snapshot", "-l");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("blksnap snapshot --help"), r.err());
    }
}
