package org.jxenstore.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.protocol.MessageType;
import org.junit.jupiter.api.Test;

/** INTRODUCE, RELEASE, RESUME, IS_DOMAIN_INTRODUCED, GET/SET_FEATURE, per-domain quotas and domain death. */
class DomainTest {
    private final XsFixture xs = new XsFixture();
    private final Client dom0 = xs.dom0();

    private String introduce(int domid) {
        return dom0.call(MessageType.INTRODUCE, 0, Integer.toString(domid), "1", "1");
    }

    private String release(int domid) {
        return dom0.call(MessageType.RELEASE, 0, Integer.toString(domid));
    }

    // --- INTRODUCE / IS_DOMAIN_INTRODUCED ---

    @Test
    void introduceMakesADomainKnown() {
        assertEquals("F", dom0.call(MessageType.IS_DOMAIN_INTRODUCED, 0, "5"));
        assertEquals("OK", introduce(5));
        assertEquals("T", dom0.call(MessageType.IS_DOMAIN_INTRODUCED, 0, "5"));
        assertEquals("T", dom0.call(MessageType.IS_DOMAIN_INTRODUCED, 0, "0"));
    }

    @Test
    void getDomainPathIsPurelySyntactic() {
        assertEquals("/local/domain/123", dom0.call(MessageType.GET_DOMAIN_PATH, 0, "123"));
        assertEquals("/local/domain/0", dom0.call(MessageType.GET_DOMAIN_PATH, 0, "junk"));
    }

    // --- RELEASE ---

    @Test
    void releaseRemovesTheDomainsNodesIncludingOnesOutsideItsHome() {
        Client g5 = xs.guest(5);
        assertEquals("OK", g5.write("data/x", "1"));
        assertEquals("OK", dom0.write("/outside/owned", "o"));
        assertEquals("OK", dom0.setPerms("/outside/owned", "n5"));
        assertEquals("OK", dom0.write("/outside/other", "keep"));
        assertEquals("OK", release(5));
        assertEquals("ENOENT", dom0.read("/local/domain/5"));
        assertEquals("ENOENT", dom0.read("/outside/owned"));
        assertEquals("keep", dom0.read("/outside/other"));
        assertEquals(0, xs.store.nodesOwnedBy(5));
        assertEquals("F", dom0.call(MessageType.IS_DOMAIN_INTRODUCED, 0, "5"));
        assertTrue(dom0.control("check").startsWith("OK"), dom0.control("check"));
    }

    @Test
    void releaseStripsTheDomainsAclEntries() {
        xs.guest(5);
        assertEquals("OK", dom0.write("/shared", "s"));
        assertEquals("OK", dom0.setPerms("/shared", "n0", "r5", "b6", "w5"));
        assertEquals("OK", release(5));
        assertEquals("n0 b6", dom0.getPerms("/shared"));
        assertEquals(Set.of(), xs.store.pathsMentioning(5));
    }

    @Test
    void releaseFiresReleaseDomainAndWatchesOnRemovedNodes() {
        xs.guest(5);
        assertEquals("OK", dom0.write("/local/domain/5/x", ""));
        Client w = xs.dom0();
        assertEquals("OK", w.watch("@releaseDomain", "rel"));
        assertEquals("OK", w.watch("/local/domain/5", "home"));
        w.events();
        assertEquals("OK", release(5));
        List<String> events = w.events();
        assertTrue(events.contains("@releaseDomain rel"), events.toString());
        assertTrue(events.contains("/local/domain/5 home"), events.toString());
        assertEquals("@releaseDomain rel", events.getLast());
    }

    @Test
    void releasingTheStoreDomainIsEinval() {
        assertEquals("EINVAL", release(0));
    }

    @Test
    void releasingAnUnknownDomainIsEnoent() {
        assertEquals("ENOENT", release(42));
        assertEquals("OK", introduce(42));
        assertEquals("OK", release(42));
        assertEquals("ENOENT", release(42));
    }

    @Test
    void aReleasedDomainCanBeIntroducedAgain() {
        Client w = xs.dom0();
        assertEquals("OK", w.watch("@introduceDomain", "i"));
        w.events();
        assertEquals("OK", introduce(5));
        assertEquals("OK", release(5));
        assertEquals("OK", introduce(5));
        assertEquals(List.of("@introduceDomain i", "@introduceDomain i"), w.events());
    }

    // --- RESUME ---

    @Test
    void resumeOfAnIntroducedDomainIsOk() {
        assertEquals("OK", introduce(5));
        assertEquals("OK", dom0.call(MessageType.RESUME, 0, "5"));
    }

    @Test
    void resumeOfAnUnknownDomainIsEnoent() {
        assertEquals("ENOENT", dom0.call(MessageType.RESUME, 0, "77"));
    }

    @Test
    void resumeOfTheStoreDomainIsEinval() {
        assertEquals("EINVAL", dom0.call(MessageType.RESUME, 0, "0"));
    }

    // --- features ---

    @Test
    void privilegedCallersGetEverySupportedFeature() {
        // RECONNECTION (1), ERROR (2), WATCHDEPTH (4) and DOMID_ANY (8).
        assertEquals("15", dom0.call(MessageType.GET_FEATURE, 0));
    }

    @Test
    void setFeatureBeforeIntroduceNarrowsTheDomainsFeatures() {
        assertEquals("OK", dom0.call(MessageType.SET_FEATURE, 0, "9", "2"));
        assertEquals("2", dom0.call(MessageType.GET_FEATURE, 0, "9"));
        assertEquals("OK", introduce(9));
        assertEquals("2", dom0.call(MessageType.GET_FEATURE, 0, "9"));
    }

    @Test
    void setFeatureAfterIntroduceIsEbusy() {
        assertEquals("OK", introduce(9));
        assertEquals("EBUSY", dom0.call(MessageType.SET_FEATURE, 0, "9", "2"));
        assertEquals("15", dom0.call(MessageType.GET_FEATURE, 0, "9"));
    }

    @Test
    void setFeatureWithUnsupportedBitsIsEinval() {
        // 16 and 32 name no feature at all.
        assertEquals("EINVAL", dom0.call(MessageType.SET_FEATURE, 0, "9", "16"));
        assertEquals("EINVAL", dom0.call(MessageType.SET_FEATURE, 0, "9", "33"));
        assertEquals("EINVAL", dom0.call(MessageType.SET_FEATURE, 0, "9"));
    }

    @Test
    void aGuestWithoutWatchdepthCannotGiveADepth() {
        assertEquals("OK", dom0.call(MessageType.SET_FEATURE, 0, "9", "2"));
        Client g9 = xs.guest(9);
        assertEquals("EINVAL", g9.watch("data", "t", 1));
        assertEquals("OK", g9.watch("data", "t"));
    }

    @Test
    void introduceAndReleaseAreInTheDaemonLog() {
        assertEquals("OK", introduce(5));
        assertEquals("OK", introduce(5));
        assertEquals("OK", release(5));
        assertEquals(List.of("dom5 introduced (event channel 1)", "dom5 released"), xs.daemonLog("info"));
    }

    // --- per-domain quotas ---

    @Test
    void releaseForgetsPerDomainQuotas() {
        assertEquals("OK", introduce(5));
        assertEquals("OK", dom0.call(MessageType.SET_QUOTA, 0, "5", "nodes", "7"));
        assertEquals("OK", release(5));
        assertEquals("OK", introduce(5));
        assertEquals("1000", dom0.call(MessageType.GET_QUOTA, 0, "5", "nodes"));
    }
}
