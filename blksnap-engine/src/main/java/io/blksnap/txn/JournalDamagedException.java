package io.blksnap.txn;

import java.nio.file.Path;

/**
 * A journal that is not as blksnap wrote it (a record whose checksum fails other than a torn last
 * one, or no intent record). Recovery never guesses over it: the transaction stays pending and
 * its journal stays in place until an operator has looked.
 */
public final class JournalDamagedException extends RuntimeException {

    private final transient Path file;

    JournalDamagedException(Path file, String what) {
        super("journal " + file + " is damaged: " + what + "; it is kept for inspection and nothing was changed");
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
