package org.jxenstore.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jxenstore.access.Perms;
import org.jxenstore.protocol.Payload;
import org.junit.jupiter.api.Test;

/** The persistent child map checked against a LinkedHashMap model. */
class ChildMapTest {

    private static Node node(int i) {
        return new Node(Integer.toString(i).getBytes(), Perms.ownedBy(0), ChildMap.EMPTY, i);
    }

    /** Names in groups whose String hash codes are equal: "Aa" and "BB" collide, and so do their concatenations. */
    private static List<String> collidingNames() {
        List<String> out = new ArrayList<>();
        String[] pair = {"Aa", "BB"};
        for (int i = 0; i < 16; i++) {
            StringBuilder sb = new StringBuilder();
            for (int bit = 0; bit < 4; bit++) {
                sb.append(pair[(i >> bit) & 1]);
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void collidingNamesReallyCollide() {
        List<String> names = collidingNames();
        for (String n : names) {
            assertEquals(names.getFirst().hashCode(), n.hashCode());
        }
        assertEquals("Aa".hashCode(), "BB".hashCode());
    }

    /**
     * The map holds a copy of each node it is given, which carries its name: the same value,
     * permissions, children and generation. Each test node has a value of its own.
     */
    private static void assertHolds(Node given, Node held, String message) {
        if (given == null) {
            assertNull(held, message);
            return;
        }
        assertArrayEquals(given.value(), held.value(), message);
        assertSame(given.perms(), held.perms(), message);
        assertSame(given.children(), held.children(), message);
        assertEquals(given.generation(), held.generation(), message);
    }

    private static void assertMatches(Map<String, Node> model, ChildMap m, List<String> universe) {
        assertEquals(model.size(), m.size());
        assertEquals(model.isEmpty(), m.isEmpty());
        assertEquals(List.copyOf(model.keySet()), m.names());
        assertEquals(model.keySet().stream().mapToInt(n -> n.length() + 1).sum(), m.nameBytes(),
                "the names' bytes, each with its NUL");
        for (String name : universe) {
            assertHolds(model.get(name), m.get(name), name);
        }
    }

    /**
     * The same step for the model and the map: one time in {@code removeOneIn} a remove of
     * {@code name}, else a put of a fresh node under it (an existing name keeps its position in
     * both: LinkedHashMap.put does the same).
     */
    private static ChildMap randomStep(Random rnd, int removeOneIn, String name, int step, Map<String, Node> model,
            ChildMap m) {
        if (rnd.nextInt(removeOneIn) == 0) {
            model.remove(name);
            return m.without(name);
        }
        Node n = node(step);
        model.put(name, n);
        return m.with(name, n);
    }

    @Test
    void randomPutsAndRemovesMatchAnInsertionOrderedModel() {
        Random rnd = new Random(20240611);
        List<String> universe = new ArrayList<>(collidingNames());
        for (int i = 0; i < 300; i++) {
            universe.add("n" + i);
        }
        // Names whose hashes share low bits, to build deep tries.
        for (int i = 0; i < 40; i++) {
            universe.add(Integer.toString(i * 1024));
        }
        Map<String, Node> model = new LinkedHashMap<>();
        ChildMap m = ChildMap.EMPTY;
        for (int step = 0; step < 6000; step++) {
            String name = universe.get(rnd.nextInt(universe.size()));
            m = randomStep(rnd, 3, name, step, model, m);
            assertEquals(model.size(), m.size(), "size at step " + step);
            assertEquals(List.copyOf(model.keySet()), m.names(), "names at step " + step);
            assertHolds(model.get(name), m.get(name), "get at step " + step);
            if (step % 97 == 0) {
                assertMatches(model, m, universe);
            }
        }
        assertMatches(model, m, universe);
    }

    @Test
    void collisionsOnlyStillBehaveLikeAMap() {
        Random rnd = new Random(7);
        List<String> universe = collidingNames();
        Map<String, Node> model = new LinkedHashMap<>();
        ChildMap m = ChildMap.EMPTY;
        for (int step = 0; step < 3000; step++) {
            String name = universe.get(rnd.nextInt(universe.size()));
            m = randomStep(rnd, 2, name, step, model, m);
            assertMatches(model, m, universe);
        }
    }

    @Test
    void removingEverythingGivesAnEmptyMap() {
        ChildMap m = ChildMap.EMPTY;
        for (int i = 0; i < 500; i++) {
            m = m.with("c" + i, node(i));
        }
        for (String n : collidingNames()) {
            m = m.with(n, node(0));
        }
        for (int i = 0; i < 500; i++) {
            m = m.without("c" + i);
        }
        for (String n : collidingNames()) {
            m = m.without(n);
        }
        assertEquals(0, m.size());
        assertTrue(m.isEmpty());
        assertEquals(List.of(), m.names());
        assertNull(m.get("c1"));
    }

    @Test
    void aNameIsFoundWhereItStandsInAPathAmongCollidingNames() {
        List<String> names = collidingNames();
        ChildMap m = ChildMap.EMPTY;
        for (int i = 0; i < names.size(); i++) {
            m = m.with(names.get(i), node(i));
        }
        for (int i = 0; i < names.size(); i++) {
            String path = "/x/" + names.get(i) + "/y";
            int from = 3;
            assertSame(m.get(names.get(i)), m.get(path, from, from + names.get(i).length()));
        }
        String longer = names.getFirst() + "A";
        assertNull(m.get("/" + longer, 1, 1 + longer.length()));
        assertNull(m.get("/" + names.getFirst(), 1, names.getFirst().length()));
    }

    @Test
    void aNameThatIsNotIso88591IsRefusedRatherThanStoredAsAnother() {
        assertThrows(IllegalArgumentException.class, () -> ChildMap.EMPTY.with("a\u0100", node(0)));
        assertEquals(0xFF, ChildMap.EMPTY.with("\u00ff", node(1)).names().getFirst().charAt(0));
    }

    @Test
    void removingAMissingNameReturnsTheSameMap() {
        ChildMap m = ChildMap.EMPTY.with("a", node(1));
        assertSame(m, m.without("b"));
        assertSame(ChildMap.EMPTY, ChildMap.EMPTY.without("a"));
    }

    @Test
    void reinsertingARemovedNameMovesItToTheEnd() {
        ChildMap m = ChildMap.EMPTY.with("a", node(1)).with("b", node(2)).with("c", node(3));
        m = m.without("a").with("a", node(4));
        assertEquals(List.of("b", "c", "a"), m.names());
    }

    @Test
    void replacingAValueKeepsItsPosition() {
        ChildMap m = ChildMap.EMPTY.with("a", node(1)).with("b", node(2)).with("c", node(3));
        Node n = node(9);
        m = m.with("a", n);
        assertEquals(List.of("a", "b", "c"), m.names());
        assertHolds(n, m.get("a"), "the new node");
        assertEquals(3, m.size());
    }

    /** A node's array holds its place and its name's length as varints: from 128 on, each takes two bytes. */
    @Test
    void longNamesHighLatin1NamesAndLatePlacesKeepTheirBytes() {
        Map<String, Node> model = new LinkedHashMap<>();
        List<String> universe = new ArrayList<>();
        ChildMap m = ChildMap.EMPTY;
        for (int i = 0; i < 400; i++) {
            String name = switch (i % 3) {
                case 0 -> "k" + i;
                case 1 -> "x".repeat(100 + i / 3) + i;
                default -> "\u00e9\u00ff\u0080" + i;
            };
            Node n = node(i);
            universe.add(name);
            model.put(name, n);
            m = m.with(name, n);
        }
        for (int i = 0; i < 400; i += 7) {
            String name = universe.get(i);
            model.remove(name);
            m = m.without(name);
        }
        assertMatches(model, m, universe);
    }

    @Test
    void oldVersionsAreUnchangedByLaterUpdates() {
        Random rnd = new Random(99);
        List<String> universe = new ArrayList<>(collidingNames());
        for (int i = 0; i < 100; i++) {
            universe.add("k" + i);
        }
        List<ChildMap> versions = new ArrayList<>();
        List<Map<String, Node>> models = new ArrayList<>();
        Map<String, Node> model = new LinkedHashMap<>();
        ChildMap m = ChildMap.EMPTY;
        for (int step = 0; step < 2000; step++) {
            String name = universe.get(rnd.nextInt(universe.size()));
            m = randomStep(rnd, 3, name, step, model, m);
            if (step % 50 == 0) {
                versions.add(m);
                models.add(new LinkedHashMap<>(model));
            }
        }
        for (int i = 0; i < versions.size(); i++) {
            assertMatches(models.get(i), versions.get(i), universe);
        }
    }
}
