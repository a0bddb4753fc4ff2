package org.jxenstore.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** C's {@code is_valid_nodename} and the path helpers. */
class NodePathTest {
    private static final int PATH_MAX = 2048;

    private static boolean valid(String p) {
        return NodePath.isValid(p, PATH_MAX);
    }

    @Test
    void rootAndOrdinaryPathsAreValid() {
        assertTrue(valid("/"));
        assertTrue(valid("/a"));
        assertTrue(valid("/local/domain/5/device/vif/0"));
        assertTrue(valid("/a-b_c@d/0123456789/XYZ"));
    }

    @Test
    void trailingSlashIsInvalid() {
        assertFalse(valid("/a/"));
        assertFalse(valid("/a/b/"));
    }

    @Test
    void doubleSlashIsInvalid() {
        assertFalse(valid("//"));
        assertFalse(valid("/a//b"));
        assertFalse(valid("//a"));
    }

    @Test
    void relativeOrEmptyPathsAreNotValidNodeNames() {
        assertFalse(valid(""));
        assertFalse(valid("a/b"));
        assertFalse(valid("@releaseDomain"));
    }

    @Test
    void charactersOutsideLettersDigitsAndDashUnderscoreAtSlashAreInvalid() {
        for (String bad : List.of("/a b", "/a.b", "/a:b", "/a\u00e9", "/a\0b", "/a*", "/a\\b", "/a+b", "/a~")) {
            assertFalse(valid(bad), bad);
        }
    }

    @Test
    void homePrefixWithoutDomidIsInvalidXsa481() {
        assertFalse(valid("/local/domain/"));
        assertTrue(valid("/local/domain"));
    }

    @Test
    void pathMaxCountsOnlyThePartAfterTheHome() {
        String home = "/local/domain/12345/";
        String rel = "x".repeat(PATH_MAX);
        assertTrue(valid(home + rel), "2048 characters after the home prefix");
        assertFalse(valid(home + rel + "y"), "2049 characters after the home prefix");
    }

    @Test
    void pathMaxCountsTheWholePathOutsideAHome() {
        assertTrue(valid("/" + "x".repeat(PATH_MAX - 1)));
        assertFalse(valid("/" + "x".repeat(PATH_MAX)));
    }

    @Test
    void aSixDigitDomidIsNotAHomePrefix() {
        // sscanf("%5u/") reads 5 digits and then fails to match '/': the whole path counts.
        String p = "/local/domain/123456/" + "x".repeat(PATH_MAX - 20);
        assertEquals(PATH_MAX + 1, p.length());
        assertFalse(valid(p));
        assertEquals(0, NodePath.homePrefixLength(p));
        assertEquals("/local/domain/12345/".length(), NodePath.homePrefixLength("/local/domain/12345/a"));
    }

    @Test
    void pathMaxZeroDisablesTheQuotaButNotTheAbsoluteLimit() {
        assertTrue(NodePath.isValid("/" + "x".repeat(3071), 0));
        assertFalse(NodePath.isValid("/" + "x".repeat(3072), 0));
    }

    @Test
    void absoluteLimitIs3072EvenBelowAHome() {
        String home = "/local/domain/1/";
        String atLimit = home + "x".repeat(3072 - home.length());
        assertTrue(NodePath.isValid(atLimit, 0));
        assertFalse(NodePath.isValid(atLimit + "x", 0));
    }

    @Test
    void relativePathsResolveUnderTheCallersHome() {
        assertEquals("/local/domain/7/data/x", NodePath.canonicalize("data/x", 7));
        assertEquals("/abs", NodePath.canonicalize("/abs", 7));
        assertEquals("@releaseDomain", NodePath.canonicalize("@releaseDomain", 7));
        assertTrue(NodePath.isRelative("data"));
        assertFalse(NodePath.isRelative("/data"));
        assertFalse(NodePath.isRelative("@x"));
    }

    @Test
    void relativizeStripsOnlyTheCallersOwnHome() {
        assertEquals("data/x", NodePath.relativize("/local/domain/7/data/x", 7));
        assertEquals("/local/domain/8/data", NodePath.relativize("/local/domain/8/data", 7));
        assertEquals("/local/domain/70/x", NodePath.relativize("/local/domain/70/x", 7));
        assertEquals("/local/domain/7", NodePath.relativize("/local/domain/7", 7));
    }

    @Test
    void homeParentNameChildAncestors() {
        assertEquals("/local/domain/3", NodePath.home(3));
        assertNull(NodePath.parent("/"));
        assertEquals("/", NodePath.parent("/a"));
        assertEquals("/a", NodePath.parent("/a/b"));
        assertEquals("b", NodePath.name("/a/b"));
        assertEquals("/a", NodePath.child("/", "a"));
        assertEquals("/a/b", NodePath.child("/a", "b"));
        assertEquals(List.of("/a/b", "/a", "/"), NodePath.ancestors("/a/b/c"));
        assertEquals(List.of(), NodePath.ancestors("/"));
    }
}
