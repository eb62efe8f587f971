package io.blksnap.qcow2;

/** Reads and writes one entry of a refcount block of any width from 1 to 64 bits. */
final class RefcountBlock {

    private RefcountBlock() {
    }

    static long get(byte[] block, int index, int order) {
        switch (order) {
            case 0: return (block[index >>> 3] >>> (index & 7)) & 0x1;
            case 1: return (block[index >>> 2] >>> (2 * (index & 3))) & 0x3;
            case 2: return (block[index >>> 1] >>> (4 * (index & 1))) & 0xf;
            case 3: return block[index] & 0xff;
            case 4: return Bytes.u16(block, index * 2);
            case 5: return Bytes.u32(block, index * 4);
            default: return Bytes.u64(block, index * 8);
        }
    }

    static void set(byte[] block, int index, int order, long value) {
        switch (order) {
            case 0: setBits(block, index >>> 3, index & 7, 1, value); break;
            case 1: setBits(block, index >>> 2, 2 * (index & 3), 2, value); break;
            case 2: setBits(block, index >>> 1, 4 * (index & 1), 4, value); break;
            case 3: block[index] = (byte) value; break;
            case 4: Bytes.put16(block, index * 2, (int) value); break;
            case 5: Bytes.put32(block, index * 4, value); break;
            default: Bytes.put64(block, index * 8, value); break;
        }
    }

    private static void setBits(byte[] block, int byteIndex, int shift, int width, long value) {
        int mask = ((1 << width) - 1) << shift;
        block[byteIndex] = (byte) ((block[byteIndex] & ~mask) | (((int) value << shift) & mask));
    }
}
