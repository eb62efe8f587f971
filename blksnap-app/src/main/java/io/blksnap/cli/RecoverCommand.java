package io.blksnap.cli;

import io.blksnap.registry.DeviceRegistry;
import io.blksnap.txn.RecoveryReport;
import io.blksnap.txn.SnapshotEngine;
import io.blksnap.txn.TransactionResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code blksnap recover}: resolve transactions a crashed blksnap left unfinished, rolling each
 * back or forward. Safe to run at any time and again.
 */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = "Roll unfinished transactions back (before their commit point) or forward (after it).")
final class RecoverCommand extends Subcommand {

    @Mixin
    EngineSetup setup;

    @Option(names = "--json", description = "Print the recovery report as JSON.")
    boolean json;

    @Override
    String subject() {
        return null;
    }

    @Override
    public Integer call() throws IOException {
        List<TransactionResult> resolved = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (DeviceRegistry registry : setup.forRecovery()) {
            try (SnapshotEngine engine = EngineSetup.open(registry)) {
                resolved.addAll(engine.startupRecovery().resolved());
                pending.addAll(engine.startupRecovery().pending());
            }
        }
        RecoveryReport report = new RecoveryReport(List.copyOf(resolved), List.copyOf(pending));
        if (json) {
            Cli.printJson(out(), JsonViews.RecoveryJson.of(report));
        } else {
            for (TransactionResult r : report.resolved()) {
                out().println(r.id() + ": " + r.status().name().toLowerCase().replace('_', ' '));
            }
            for (String p : report.pending()) {
                out().println("pending " + p);
            }
            if (report.resolved().isEmpty() && report.pending().isEmpty()) {
                out().println("nothing to recover");
            }
            out().flush();
        }
        return report.pending().isEmpty() ? 0 : Cli.EXIT_FAILURE;
    }
}
