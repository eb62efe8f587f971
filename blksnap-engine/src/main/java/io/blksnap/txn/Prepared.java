package io.blksnap.txn;

import io.blksnap.qcow2.PreparedChange;

import java.io.IOException;

/**
 * What a member's prepare left to switch in: an image change written but not switched (offline),
 * or an action staged in its VM's QMP transaction (live). Commit runs only past the commit
 * record; abort undoes the prepare.
 */
interface Prepared {

    /** The id of the snapshot it makes, removes or reverts to; null while not known yet (a live create before its VM's transaction). */
    String snapshotId();

    void commit() throws IOException;

    void abort() throws IOException;

    /** An offline change: commit is the image's one header switch, abort puts back every byte. */
    static Prepared of(PreparedChange change) {
        return new Prepared() {
            @Override
            public String snapshotId() {
                return change.snapshot().id();
            }

            @Override
            public void commit() throws IOException {
                change.commit();
            }

            @Override
            public void abort() throws IOException {
                change.abort();
            }
        };
    }

    /** What a live change does past the commit record (QMP has no transactional form): nothing before it to undo. */
    interface Action {
        void run() throws IOException;
    }

    /** A live change validated in prepare and done only by its commit. */
    static Prepared atCommit(String snapshotId, Action action) {
        return new Prepared() {
            @Override
            public String snapshotId() {
                return snapshotId;
            }

            @Override
            public void commit() throws IOException {
                action.run();
            }

            @Override
            public void abort() {
                // nothing was done before the commit
            }
        };
    }
}
