package io.blksnap.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SizesTest {

    @Test
    void parsesQemuImgSuffixes() {
        assertEquals(512, Sizes.parse("512"));
        assertEquals(512, Sizes.parse("512b"));
        assertEquals(64 * 1024, Sizes.parse("64k"));
        assertEquals(64 * 1024, Sizes.parse("64K"));
        assertEquals(3L << 20, Sizes.parse("3M"));
        assertEquals(1L << 30, Sizes.parse("1G"));
        assertEquals(1L << 30, Sizes.parse("1g"));
        assertEquals(2L << 40, Sizes.parse("2T"));
        assertEquals(1L << 50, Sizes.parse("1P"));
        assertEquals(1536L << 20, Sizes.parse("1.5G"));
        assertEquals(102, Sizes.parse("0.1k"));
    }

    @Test
    void rejectsMalformedSizes() {
        for (String bad : new String[] {"", "k", "1Q", "-1", "1.5", "1.5b", "1 G G", "8E", "99999999999T"}) {
            assertThrows(IllegalArgumentException.class, () -> Sizes.parse(bad), bad);
        }
    }

    @Test
    void humanSizesAreQemusSizeToStr() {
        assertEquals("0 B", Sizes.human(0));
        assertEquals("999 B", Sizes.human(999));
        assertEquals("0.977 KiB", Sizes.human(1000));
        assertEquals("1 KiB", Sizes.human(1024));
        assertEquals("1.5 MiB", Sizes.human(1536L << 10));
        assertEquals("1 GiB", Sizes.human(1L << 30));
        assertEquals("123 MiB", Sizes.human(123L << 20));
        assertEquals("8 EiB", Sizes.human(Long.MAX_VALUE));
    }
}
