package org.jxenstore.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.protocol.MessageType;
import org.junit.jupiter.api.Test;

/** Watch registration, matching and the events each operation fires (C semantics). */
class WatchTest {
    private final XsFixture xs = new XsFixture();
    private final Client w = xs.dom0();
    private final Client writer = xs.dom0();

    private void watching(String path, String token) {
        assertEquals("OK", w.watch(path, token));
        assertEquals(List.of(path + " " + token), w.events());
    }

    // --- registration ---

    @Test
    void watchRepliesOkThenFiresOnceWithTheWatchedPath() {
        assertEquals("OK", w.watch("/does/not/exist", "tok"));
        assertEquals(List.of("/does/not/exist tok"), w.events());
    }

    @Test
    void duplicatePathAndTokenIsEexist() {
        watching("/a", "t");
        assertEquals("EEXIST", w.watch("/a", "t"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void samePathWithAnotherTokenIsASecondWatch() {
        watching("/a", "t1");
        watching("/a", "t2");
        assertEquals("OK", writer.write("/a", "x"));
        assertEquals(List.of("/a t1", "/a t2"), w.events());
    }

    @Test
    void unwatchOfAnUnknownWatchIsEnoent() {
        assertEquals("ENOENT", w.unwatch("/a", "t"));
        watching("/a", "t");
        assertEquals("ENOENT", w.unwatch("/a", "other"));
        assertEquals("ENOENT", w.unwatch("/b", "t"));
    }

    @Test
    void unwatchStopsEvents() {
        watching("/a", "t");
        assertEquals("OK", w.unwatch("/a", "t"));
        assertEquals("OK", writer.write("/a", "x"));
        assertEquals(List.of(), w.events());
        assertEquals("ENOENT", w.unwatch("/a", "t"));
    }

    @Test
    void unwatchMatchesARelativeWatchAfterCanonicalisation() {
        assertEquals("OK", w.watch("rel", "t"));
        assertEquals(List.of("rel t"), w.events());
        assertEquals("OK", w.unwatch("/local/domain/0/rel", "t"));
    }

    @Test
    void watchOnAnInvalidPathIsEinval() {
        assertEquals("EINVAL", w.watch("/a/", "t"));
        assertEquals("EINVAL", w.watch("/a//b", "t"));
        assertEquals("EINVAL", w.watch("/a b", "t"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void resetWatchesDropsAllWatches() {
        watching("/a", "t");
        watching("/b", "t");
        assertEquals("OK", w.call(MessageType.RESET_WATCHES, 0, ""));
        assertEquals("OK", writer.write("/a", "x"));
        assertEquals("OK", writer.write("/b", "x"));
        assertEquals(List.of(), w.events());
        assertEquals(0, xs.watches.size());
    }

    // --- matching ---

    @Test
    void writeFiresWatchesOnTheNodeAndItsAncestors() {
        watching("/", "root");
        watching("/a", "a");
        watching("/a/b", "ab");
        assertEquals("OK", writer.write("/a/b", "x"));
        assertEquals(List.of("/a/b root", "/a/b a", "/a/b ab"), w.events());
    }

    @Test
    void matchingIsComponentWiseSoSlashADoesNotMatchSlashAb() {
        watching("/a", "t");
        assertEquals("OK", writer.write("/ab", "x"));
        assertEquals("OK", writer.write("/a-b/c", "x"));
        assertEquals(List.of(), w.events());
        assertEquals("OK", writer.write("/a/b", "x"));
        assertEquals(List.of("/a/b t"), w.events());
    }

    @Test
    void aWatchOnAChildDoesNotFireForItsParent() {
        assertEquals("OK", writer.write("/p/c", ""));
        watching("/p/c", "t");
        assertEquals("OK", writer.write("/p", "new value"));
        assertEquals("OK", writer.setPerms("/p", "n0", "r5"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void depthZeroMatchesOnlyTheNodeItself() {
        assertEquals("OK", w.watch("/d", "t", 0));
        assertEquals(List.of("/d t"), w.events());
        assertEquals("OK", writer.write("/d/child", "x"));
        assertEquals(List.of(), w.events());
        assertEquals("OK", writer.write("/d", "x"));
        assertEquals(List.of("/d t"), w.events());
    }

    @Test
    void depthOneMatchesDirectChildrenOnly() {
        assertEquals("OK", w.watch("/d", "t", 1));
        w.events();
        assertEquals("OK", writer.write("/d/c", "x"));
        assertEquals(List.of("/d/c t"), w.events());
        assertEquals("OK", writer.write("/d/c/g", "x"));
        assertEquals(List.of(), w.events());
        assertEquals("OK", writer.write("/d", "x"));
        assertEquals(List.of("/d t"), w.events());
    }

    @Test
    void depthOnTheRootCountsFromTheRoot() {
        assertEquals("OK", w.watch("/", "t", 1));
        w.events();
        assertEquals("OK", writer.write("/top", "x"));
        assertEquals("OK", writer.write("/top/sub", "x"));
        assertEquals(List.of("/top t"), w.events());
    }

    @Test
    void relativeWatchReportsRelativePaths() {
        assertEquals("OK", w.watch("data", "t"));
        assertEquals(List.of("data t"), w.events());
        assertEquals("OK", writer.write("/local/domain/0/data/x", "1"));
        assertEquals(List.of("data/x t"), w.events());
    }

    @Test
    void relativeWatchOfAGuestReportsPathsRelativeToItsHome() {
        Client guest = xs.guest(3);
        assertEquals("OK", guest.watch("device", "t"));
        assertEquals(List.of("device t"), guest.events());
        assertEquals("OK", guest.write("device/vif/0", "1"));
        assertEquals(List.of("device/vif/0 t"), guest.events());
    }

    @Test
    void absoluteWatchReportsAbsolutePathsEvenForARelativeWrite() {
        watching("/local/domain/0/data", "t");
        assertEquals("OK", writer.write("data/x", "1"));
        assertEquals(List.of("/local/domain/0/data/x t"), w.events());
    }

    // --- what fires ---

    @Test
    void writeOfAnExistingNodeFiresEvenWithTheSameValue() {
        assertEquals("OK", writer.write("/n", "v"));
        watching("/n", "t");
        assertEquals("OK", writer.write("/n", "v"));
        assertEquals(List.of("/n t"), w.events());
    }

    @Test
    void writeCreatingParentsFiresOnlyForTheWrittenNode() {
        watching("/", "t");
        assertEquals("OK", writer.write("/x/y/z", "1"));
        assertEquals(List.of("/x/y/z t"), w.events());
    }

    @Test
    void mkdirOfANewNodeFires() {
        watching("/m", "t");
        assertEquals("OK", writer.mkdir("/m"));
        assertEquals(List.of("/m t"), w.events());
    }

    @Test
    void mkdirOfAnExistingNodeDoesNotFire() {
        assertEquals("OK", writer.write("/m", "keep"));
        watching("/m", "t");
        assertEquals("OK", writer.mkdir("/m"));
        assertEquals(List.of(), w.events());
        assertEquals("keep", writer.read("/m"));
    }

    @Test
    void setPermsFires() {
        assertEquals("OK", writer.write("/n", "v"));
        watching("/n", "t");
        assertEquals("OK", writer.setPerms("/n", "n0", "r3"));
        assertEquals(List.of("/n t"), w.events());
    }

    @Test
    void failedRequestsDoNotFire() {
        watching("/", "t");
        assertEquals("ENOENT", writer.rm("/no/such"));
        assertEquals("EINVAL", writer.write("/bad/", "x"));
        assertEquals("ENOENT", writer.setPerms("/nothing", "n0"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void rmOfAMissingNodeUnderAnExistingParentIsOkAndFiresNothing() {
        watching("/", "t");
        assertEquals("OK", writer.rm("/missing"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void rmFiresForWatchedDescendantsThatExistedAndForTheRemovalRoot() {
        assertEquals("OK", writer.write("/r/a/b", "1"));
        assertEquals("OK", writer.write("/r/c", "1"));
        watching("/r/a/b", "deep");
        watching("/r/c", "c");
        watching("/r", "root");
        watching("/", "top");
        assertEquals("OK", writer.rm("/r"));
        List<String> events = w.events();
        assertEquals(4, events.size(), events.toString());
        assertEquals(List.of("/r/a/b deep", "/r/c c", "/r root", "/r top").stream().sorted().toList(),
                events.stream().sorted().toList());
        // The removal root's own event comes after those of the removed descendants.
        assertEquals(List.of("/r root", "/r top"), events.subList(2, 4).stream().sorted().toList());
    }

    @Test
    void rmDoesNotFireForWatchedDescendantsThatNeverExisted() {
        assertEquals("OK", writer.write("/r/a", "1"));
        watching("/r/a/never", "ghost");
        watching("/r/nothing/here", "ghost2");
        assertEquals("OK", writer.rm("/r"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void rmOfTheRootIsEinval() {
        assertEquals("EINVAL", writer.rm("/"));
    }

    @Test
    void rmWithMissingParentIsEnoent() {
        assertEquals("ENOENT", writer.rm("/no/such"));
    }

    // --- special events ---

    @Test
    void introduceFiresIntroduceDomain() {
        watching("@introduceDomain", "intro");
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "5", "1", "1"));
        assertEquals(List.of("@introduceDomain intro"), w.events());
    }

    @Test
    void reIntroducingAKnownDomainDoesNotFireAgain() {
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "5", "1", "1"));
        watching("@introduceDomain", "intro");
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "5", "1", "2"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void releaseFiresReleaseDomain() {
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "5", "1", "1"));
        watching("@releaseDomain", "rel");
        assertEquals("OK", writer.call(MessageType.RELEASE, 0, "5"));
        assertEquals(List.of("@releaseDomain rel"), w.events());
    }

    @Test
    void perDomainReleaseEventFiresForAWatchOnThatForm() {
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "5", "1", "1"));
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "6", "1", "1"));
        watching("@releaseDomain/5", "five");
        assertEquals("OK", writer.call(MessageType.RELEASE, 0, "6"));
        assertEquals(List.of(), w.events());
        assertEquals("OK", writer.call(MessageType.RELEASE, 0, "5"));
        assertEquals(List.of("@releaseDomain/5 five"), w.events());
    }

    @Test
    void genericReleaseWatchWithDepthOneAlsoGetsThePerDomainForm() {
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "5", "1", "1"));
        assertEquals("OK", w.watch("@releaseDomain", "any", 1));
        assertEquals(List.of("@releaseDomain any"), w.events());
        assertEquals("OK", writer.call(MessageType.RELEASE, 0, "5"));
        List<String> events = w.events();
        assertEquals(List.of("@releaseDomain any", "@releaseDomain/5 any").stream().sorted().toList(),
                events.stream().sorted().toList());
    }

    @Test
    void genericReleaseWatchWithoutDepthDoesNotGetThePerDomainForm() {
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "5", "1", "1"));
        watching("@releaseDomain", "any");
        assertEquals("OK", writer.call(MessageType.RELEASE, 0, "5"));
        assertEquals(List.of("@releaseDomain any"), w.events());
    }

    @Test
    void perDomainIntroduceEventFiresForAWatchOnThatForm() {
        watching("@introduceDomain/9", "nine");
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "9", "1", "1"));
        assertEquals(List.of("@introduceDomain/9 nine"), w.events());
    }

    @Test
    void nodeWritesDoNotFireSpecialWatches() {
        watching("@releaseDomain", "rel");
        watching("@introduceDomain", "intro");
        assertEquals("OK", writer.write("/local/domain/5/x", "1"));
        assertEquals("OK", writer.rm("/local"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void specialPathsAreNotNodes() {
        assertEquals("EINVAL", writer.read("@releaseDomain"));
        assertEquals("EINVAL", writer.write("@releaseDomain", "x"));
        assertEquals("EINVAL", writer.dir("@releaseDomain"));
    }

    @Test
    void specialNodesTakeSetPermsButNotGetPermsAsInC417() {
        // The reference peer, C 4.17, answers EINVAL to GET_PERMS of a special node
        // (xsprobe special_nodes_perms), while SET_PERMS on it works; Xen 4.22 allows both.
        assertEquals("EINVAL", writer.getPerms("@releaseDomain"));
        assertEquals("OK", writer.setPerms("@introduceDomain", "n0", "r5"));
        assertEquals("ENOENT", writer.setPerms("@bogus", "n0"));
    }

    @Test
    void aNodeNamedLikeASpecialEventIsNotTheSpecialEvent() {
        // "/@releaseDomain" is a node path; "@releaseDomain" the special event: a watch on one
        // must never fire for the other.
        assertEquals("OK", w.watch("/@releaseDomain", "node"));
        assertEquals("OK", w.watch("@introduceDomain", "special"));
        w.events();
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "9", "1", "1"));
        assertEquals("OK", writer.call(MessageType.RELEASE, 0, "9"));
        assertEquals(List.of("@introduceDomain special"), w.events());
        assertEquals("OK", writer.write("/@introduceDomain", "x"));
        assertEquals(List.of(), w.events());
    }

    @Test
    void aDeadDomainLosesItsEntriesOnSpecialNodesXsa322() {
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "7", "1", "1"));
        assertEquals("OK", writer.setPerms("@releaseDomain", "n0", "r7"));
        assertEquals("OK", writer.call(MessageType.RELEASE, 0, "7"));
        // A new domain 7 must not inherit the old one's right to watch @releaseDomain.
        Client g7 = xs.guest(7);
        assertEquals("OK", g7.watch("@releaseDomain", "r"));
        g7.events();
        assertEquals("OK", writer.call(MessageType.INTRODUCE, 0, "8", "1", "1"));
        assertEquals("OK", writer.call(MessageType.RELEASE, 0, "8"));
        assertEquals(List.of(), g7.events());
    }

    @Test
    void isDomainIntroducedOfDomidSelfIsTrue() {
        assertEquals("T", writer.call(MessageType.IS_DOMAIN_INTRODUCED, 0, "32752"));
    }
}
