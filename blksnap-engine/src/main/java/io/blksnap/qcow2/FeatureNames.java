package io.blksnap.qcow2;

import java.nio.charset.StandardCharsets;

/** The feature name table header extension, with the names QEMU gives each bit. */
final class FeatureNames {

    private static final Object[][] FEATURES = {
        {0, 0, "dirty bit"}, {0, 1, "corrupt bit"}, {0, 2, "external data file"},
        {0, 3, "compression type"}, {0, 4, "extended L2 entries"},
        {1, 0, "lazy refcounts"},
        {2, 0, "bitmaps"}, {2, 1, "raw external data"},
    };

    private FeatureNames() {
    }

    static byte[] table() {
        byte[] out = new byte[FEATURES.length * 48];
        for (int i = 0; i < FEATURES.length; i++) {
            out[i * 48] = (byte) (int) (Integer) FEATURES[i][0];
            out[i * 48 + 1] = (byte) (int) (Integer) FEATURES[i][1];
            byte[] name = ((String) FEATURES[i][2]).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, out, i * 48 + 2, name.length);
        }
        return out;
    }
}
