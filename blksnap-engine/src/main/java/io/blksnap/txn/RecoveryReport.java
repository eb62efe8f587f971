package io.blksnap.txn;

import java.util.List;

/**
 * What a recovery did: the transactions it resolved, and those it could not resolve yet (an
 * image held by a running QEMU, say), which stay in the journal for the next recovery.
 */
public record RecoveryReport(List<TransactionResult> resolved, List<String> pending) {
}
