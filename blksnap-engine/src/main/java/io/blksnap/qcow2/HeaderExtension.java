package io.blksnap.qcow2;

/** One header extension as found on disk; unknown ones are carried unchanged. */
record HeaderExtension(int type, byte[] data) {

    static final int BACKING_FORMAT = 0xe2792aca;
    static final int FEATURE_TABLE = 0x6803f857;
    static final int BITMAPS = 0x23852875;
    static final int CRYPTO = 0x0537be77;
    static final int DATA_FILE = 0x44415441;
}
