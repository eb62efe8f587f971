package io.blksnap.qcow2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Big-endian field access, the byte order of every qcow2 integer.
 *
 * <p>Through byte-array view handles rather than byte by byte: these run inside per-entry loops
 * over whole L2 tables and refcount blocks, and the JIT turns a view access into one (byte
 * swapped) load or store. Plain view accesses work at any offset, aligned or not (header and
 * snapshot table fields are not all aligned), and a field reaching past the array throws
 * {@link ArrayIndexOutOfBoundsException}, as the byte loops did.
 */
final class Bytes {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    static long u64(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    static long u32(byte[] b, int off) {
        return Integer.toUnsignedLong((int) INT.get(b, off));
    }

    static int u16(byte[] b, int off) {
        return Short.toUnsignedInt((short) SHORT.get(b, off));
    }

    static void put64(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    static void put32(byte[] b, int off, long v) {
        INT.set(b, off, (int) v);
    }

    static void put16(byte[] b, int off, int v) {
        SHORT.set(b, off, (short) v);
    }
}
