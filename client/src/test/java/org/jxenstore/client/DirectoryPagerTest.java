package org.jxenstore.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.junit.jupiter.api.Test;

class DirectoryPagerTest {

    /** A reply as the daemon writes it: each part followed by a NUL. */
    private static byte[] reply(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            b.append(p).append('\0');
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void singleChunkEndsWithEmptyString() throws XsException {
        DirectoryPager pager = new DirectoryPager("/a");
        assertTrue(pager.accept(reply("7", "x", "yy", "")));
        assertEquals(List.of("x", "yy"), pager.children());
    }

    @Test
    void emptyDirectoryIsGenerationAndTerminator() throws XsException {
        DirectoryPager pager = new DirectoryPager("/a");
        assertTrue(pager.accept(reply("7", "")));
        assertEquals(List.of(), pager.children());
    }

    @Test
    void offsetCountsNameBytesAndNuls() throws XsException {
        DirectoryPager pager = new DirectoryPager("/a");
        assertEquals(0, pager.offset());
        assertFalse(pager.accept(reply("7", "abc", "de")));
        assertEquals(7, pager.offset());
        assertFalse(pager.accept(reply("7", "f")));
        assertEquals(9, pager.offset());
        assertTrue(pager.accept(reply("7", "gh", "")));
        assertEquals(List.of("abc", "de", "f", "gh"), pager.children());
    }

    @Test
    void changedGenerationRestartsAtOffsetZero() throws XsException {
        DirectoryPager pager = new DirectoryPager("/a");
        assertFalse(pager.accept(reply("7", "old1", "old2")));
        assertFalse(pager.accept(reply("9", "new3", "")));
        assertEquals(0, pager.offset());
        assertEquals(List.of(), pager.children());
        assertFalse(pager.accept(reply("9", "new1")));
        assertTrue(pager.accept(reply("9", "new2", "")));
        assertEquals(List.of("new1", "new2"), pager.children());
    }

    @Test
    void givesUpWithEagainWhenTheNodeNeverSettles() throws XsException {
        DirectoryPager pager = new DirectoryPager("/a");
        int generation = 0;
        for (int restart = 0; restart < DirectoryPager.MAX_RESTARTS; restart++) {
            assertFalse(pager.accept(reply(Integer.toString(generation), "x")));
            assertFalse(pager.accept(reply(Integer.toString(++generation), "x")));
        }
        assertFalse(pager.accept(reply(Integer.toString(generation), "x")));
        String changed = Integer.toString(generation + 1);
        XsException e = assertThrows(XsException.class, () -> pager.accept(reply(changed, "x")));
        assertEquals(XsError.EAGAIN, e.error());
    }

    @Test
    void rejectsChunkWithoutProgress() {
        DirectoryPager pager = new DirectoryPager("/a");
        assertThrows(XsConnectionException.class, () -> pager.accept(reply("7")));
    }

    @Test
    void rejectsPayloadNotEndingWithNul() {
        DirectoryPager pager = new DirectoryPager("/a");
        assertThrows(XsConnectionException.class, () -> pager.accept("7\0x".getBytes(StandardCharsets.ISO_8859_1)));
        assertThrows(XsConnectionException.class, () -> pager.accept(new byte[0]));
    }

    @Test
    void rejectsEmptyNameBeforeTheEnd() {
        DirectoryPager pager = new DirectoryPager("/a");
        assertThrows(XsConnectionException.class, () -> pager.accept(reply("7", "x", "", "y", "")));
    }
}
