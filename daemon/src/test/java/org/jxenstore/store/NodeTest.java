package org.jxenstore.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.jxenstore.access.Perms;
import org.junit.jupiter.api.Test;

/** A node's generation, place, name and value share one array; each copy keeps what it should. */
class NodeTest {
    private static final Perms PERMS = Perms.ownedBy(0);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aFreshNodeHasItsValueAndGeneration() {
        Node n = new Node(b("v\0x"), PERMS, ChildMap.EMPTY, 7);
        assertArrayEquals(b("v\0x"), n.value());
        assertEquals(3, n.valueLength());
        assertEquals(7, n.generation());
        assertEquals(0, n.nameLength());
    }

    /** A parent whose next child is its 200th: a place that takes two bytes. */
    private static ChildMap wide() {
        ChildMap m = ChildMap.EMPTY;
        for (int i = 0; i < 199; i++) {
            m = m.with("k" + i, new Node(b(""), PERMS, ChildMap.EMPTY, 1));
        }
        return m;
    }

    @Test
    void generationsOfEveryWidthSurvivePlacementAndCopies() {
        ChildMap parent = wide();
        for (long gen : new long[] {0, 127, 128, 1L << 31, 1L << 40, Long.MAX_VALUE}) {
            Node held = parent.with("name", new Node(b("value"), PERMS, ChildMap.EMPTY, gen)).get("name");
            assertEquals(199, held.seq());
            assertEquals(gen, held.generation());
            assertArrayEquals(b("value"), held.value());
            assertEquals("name", held.name());

            ChildMap kids = ChildMap.EMPTY.with("c", new Node(b(""), PERMS, ChildMap.EMPTY, 1));
            Node sameGen = held.withChildren(kids, gen);
            long otherGen = gen == 0 ? 1 : gen - 1;
            Node newGen = held.withChildren(kids, otherGen);
            Node rewritten = held.withValue(b("other"), PERMS, 3);
            for (Node copy : new Node[] {sameGen, newGen, rewritten}) {
                assertEquals("name", copy.name(), "a copy keeps the name");
                assertEquals(199, copy.seq(), "a copy keeps the place");
            }
            assertEquals(gen, sameGen.generation());
            assertEquals(otherGen, newGen.generation());
            assertSame(kids, newGen.children());
            assertArrayEquals(b("value"), newGen.value());
            assertEquals(3, rewritten.generation());
            assertArrayEquals(b("other"), rewritten.value());
        }
    }

    @Test
    void aCopyOfAHeldNodeIsHeldAsItIs() {
        ChildMap m = ChildMap.EMPTY.with("a", new Node(b("1"), PERMS, ChildMap.EMPTY, 1))
                .with("b", new Node(b("2"), PERMS, ChildMap.EMPTY, 2));
        Node copy = m.get("a").withValue(b("3"), PERMS, 300);
        assertSame(copy, m.with("a", copy).get("a"), "no second copy of a node that already carries its place");
    }

    @Test
    void aNodeGivenForAnotherNameTakesThatNameAndPlace() {
        ChildMap m = ChildMap.EMPTY.with("a", new Node(b("1"), PERMS, ChildMap.EMPTY, 1))
                .with("b", new Node(b("2"), PERMS, ChildMap.EMPTY, 2));
        Node fromA = m.get("a").withValue(b("new"), PERMS, 1L << 33);
        Node heldAsB = m.with("b", fromA).get("b");
        assertEquals("b", heldAsB.name());
        assertEquals(m.get("b").seq(), heldAsB.seq());
        assertEquals(1L << 33, heldAsB.generation());
        assertArrayEquals(b("new"), heldAsB.value());
    }
}
