package org.jxenstore.it.client;

import org.jxenstore.it.wire.RawConnection;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jxenstore.client.XsClient;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.junit.jupiter.api.Test;

/** Scenarios 22–24: a very wide directory, a very deep path, and values at the size limits. */
class WideAndDeepTreeTest extends DaemonClientTest {
    private static final String WIDE = "/local/domain";
    private static final int CHILDREN = 5000;

    /** Creates 5000 children, newest name first, so insertion order is not a sorted order. */
    private List<String> createWideDirectory() throws XsException {
        List<String> names = new ArrayList<>();
        for (int i = CHILDREN - 1; i >= 0; i--) {
            String name = Integer.toString(i);
            xs.mkdir(WIDE + "/" + name);
            names.add(name);
        }
        return names;
    }

    private record Chunk(String generation, List<String> names, boolean last) {
    }

    private Chunk directoryPart(long offset) throws XsException {
        Message reply = xs.request(MessageType.DIRECTORY_PART, 0, Payload.strings(WIDE, Long.toString(offset)));
        assertTrue(reply.payload().length <= Wire.PAYLOAD_MAX);
        assertTrue(Payload.endsWithNul(reply.payload()));
        List<String> parts = Payload.split(reply.payload());
        List<String> names = new ArrayList<>(parts.subList(1, parts.size()));
        boolean last = !names.isEmpty() && names.getLast().isEmpty();
        if (last) {
            names.removeLast();
        }
        return new Chunk(parts.getFirst(), names, last);
    }

    private static long bytesOf(List<String> names) {
        return names.stream().mapToLong(n -> n.length() + 1).sum();
    }

    @Test
    void directoryOfFiveThousandChildrenIsE2big() throws Exception {
        createWideDirectory();
        XsException e = assertThrows(XsException.class,
                () -> xs.request(MessageType.DIRECTORY, 0, Payload.strings(WIDE)));
        assertEquals(XsError.E2BIG, e.error());
    }

    @Test
    void clientDirectoryPagesThroughAllChildrenInInsertionOrder() throws Exception {
        List<String> names = createWideDirectory();
        assertEquals(names, xs.directory(WIDE));
    }

    @Test
    void directoryPartChunksConcatenateToTheWholeListUnderOneGeneration() throws Exception {
        List<String> names = createWideDirectory();
        List<String> all = new ArrayList<>();
        Chunk first = directoryPart(0);
        Chunk chunk = first;
        all.addAll(chunk.names());
        int chunks = 1;
        while (!chunk.last()) {
            assertFalse(chunk.names().isEmpty(), "a chunk that is not the last makes progress");
            chunk = directoryPart(bytesOf(all));
            assertEquals(first.generation(), chunk.generation());
            all.addAll(chunk.names());
            chunks++;
        }
        assertTrue(chunks > 1);
        assertEquals(names, all);
    }

    @Test
    void directoryPartGenerationChangesWhenAChildIsAddedBetweenChunks() throws Exception {
        createWideDirectory();
        Chunk first = directoryPart(0);
        assertFalse(first.last());
        Chunk unchanged = directoryPart(bytesOf(first.names()));
        assertEquals(first.generation(), unchanged.generation());

        xs.mkdir(WIDE + "/added");
        Chunk second = directoryPart(bytesOf(first.names()));
        assertNotEquals(first.generation(), second.generation());
    }

    @Test
    void directoryPartGenerationChangesWhenAChildIsRemovedBetweenChunks() throws Exception {
        createWideDirectory();
        Chunk first = directoryPart(0);
        xs.rm(WIDE + "/17");
        assertNotEquals(first.generation(), directoryPart(bytesOf(first.names())).generation());
    }

    @Test
    void directoryPartPastTheEndIsJustTheGenerationAndTheEndMarker() throws Exception {
        createWideDirectory();
        Chunk chunk = directoryPart(1_000_000);
        assertTrue(chunk.last());
        assertEquals(List.of(), chunk.names());
    }

    @Test
    void clientDirectoryOfWideNodeSeesAChildAddedEarlier() throws Exception {
        List<String> names = createWideDirectory();
        xs.mkdir(WIDE + "/late");
        names.add("late");
        assertEquals(names, xs.directory(WIDE));
    }

    /** {@code /d/a/a/...}: 1000 components of one character, 2000 characters in all. */
    private static String deepPath() {
        return "/d" + "/a".repeat(999);
    }

    @Test
    void thousandLevelDeepPathCanBeWrittenAndRead() throws Exception {
        String path = deepPath();
        assertTrue(path.length() <= 2048);
        xs.write(path, "bottom");
        assertEquals("bottom", xs.readString(path));
        assertEquals(List.of("a"), xs.directory(path.substring(0, path.length() - 2)));
        String check = xs.control("check");
        assertTrue(check.startsWith("OK"), check);
    }

    @Test
    void thousandLevelDeepTreeIsRemovedByOneRm() throws Exception {
        String path = deepPath();
        xs.write(path, "bottom");
        xs.rm("/d");
        assertFalse(xs.exists("/d"));
        assertFalse(xs.exists("/d/a"));
        String check = xs.control("check");
        assertTrue(check.startsWith("OK"), check);
        assertTrue(xs.control("memreport").contains("nodes"));
    }

    @Test
    void thousandLevelDeepTreeRemovalFiresWatchOnTheRoot() throws Exception {
        xs.write(deepPath(), "bottom");
        xs.watch("/d", "deep");
        assertEquals("/d", xs.nextEvent(RawConnection.TIMEOUT).path());
        xs.rm("/d");
        assertEquals("/d", xs.nextEvent(RawConnection.TIMEOUT).path());
    }

    @Test
    void zeroLengthValueIsStored() throws Exception {
        xs.write("/v/zero", new byte[0]);
        assertArrayEquals(new byte[0], xs.read("/v/zero"));
    }

    @Test
    void largestValueThatFitsAPayloadIsStoredAndReadBack() throws Exception {
        String path = "/v/max";
        byte[] value = new byte[Wire.PAYLOAD_MAX - path.length() - 1];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        xs.write(path, value);
        assertArrayEquals(value, xs.read(path));
    }

    @Test
    void valueOneByteTooLargeIsRefusedWithE2big() throws Exception {
        String path = "/v/over";
        byte[] value = new byte[Wire.PAYLOAD_MAX - path.length()];
        Arrays.fill(value, (byte) 1);
        XsException e = assertThrows(XsException.class, () -> xs.write(path, value));
        assertEquals(XsError.E2BIG, e.error());
        assertFalse(xs.exists(path));
    }
}
