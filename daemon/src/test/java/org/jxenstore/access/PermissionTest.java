package org.jxenstore.access;

import org.jxenstore.protocol.Permission.Access;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.store.Store;
import org.jxenstore.domain.DomainRegistry;
import org.junit.jupiter.api.Test;

/** C xenstored's permission model as unprivileged guests meet it. */
class PermissionTest {
    private final XsFixture xs = new XsFixture();
    private final Client dom0 = xs.dom0();
    private final Client g3 = xs.guest(3);
    private final Client g4 = xs.guest(4);

    // --- owner, default letter, ACL entries ---

    @Test
    void ownerHasFullAccessWhateverItsLetter() {
        assertEquals("OK", g3.write("/local/domain/3/x", "v"));
        assertEquals("v", g3.read("/local/domain/3/x"));
        assertEquals("n3", g3.getPerms("/local/domain/3/x"));
        assertEquals("OK", g3.rm("/local/domain/3/x"));
    }

    @Test
    void othersGetTheOwnersLetterAsDefault() {
        assertEquals("OK", dom0.write("/pub", "p"));
        assertEquals("EACCES", g3.read("/pub"));
        assertEquals("OK", dom0.setPerms("/pub", "r0"));
        assertEquals("p", g3.read("/pub"));
        assertEquals("EACCES", g3.write("/pub", "x"));
        assertEquals("OK", dom0.setPerms("/pub", "b0"));
        assertEquals("OK", g3.write("/pub", "x"));
    }

    @Test
    void anAclEntryOverridesTheDefaultForThatDomainOnly() {
        assertEquals("OK", dom0.write("/acl", "v"));
        assertEquals("OK", dom0.setPerms("/acl", "n0", "r3"));
        assertEquals("v", g3.read("/acl"));
        assertEquals("EACCES", g4.read("/acl"));
    }

    @Test
    void theFirstMatchingAclEntryWins() {
        assertEquals("OK", dom0.write("/first", "v"));
        assertEquals("OK", dom0.setPerms("/first", "n0", "r3", "b3"));
        assertEquals("v", g3.read("/first"));
        assertEquals("EACCES", g3.write("/first", "x"));
        assertEquals("OK", dom0.setPerms("/first", "b0", "n3"));
        assertEquals("EACCES", g3.read("/first"));
    }

    @Test
    void readNeedsROrB() {
        assertEquals("OK", dom0.write("/n", "v"));
        assertEquals("OK", dom0.setPerms("/n", "n0", "w3", "b4"));
        assertEquals("EACCES", g3.read("/n"));
        assertEquals("EACCES", g3.dir("/n"));
        assertEquals("EACCES", g3.getPerms("/n"));
        assertEquals("v", g4.read("/n"));
    }

    @Test
    void writeNeedsWOrB() {
        assertEquals("OK", dom0.write("/n", "v"));
        assertEquals("OK", dom0.setPerms("/n", "n0", "r3", "w4"));
        assertEquals("EACCES", g3.write("/n", "x"));
        assertEquals("EACCES", g3.rm("/n"));
        assertEquals("EACCES", g3.mkdir("/n/child"));
        assertEquals("OK", g4.write("/n", "by4"));
        assertEquals("OK", dom0.setPerms("/n", "n0", "b4"));
        assertEquals("OK", g4.write("/n/child", "c"));
    }

    @Test
    void aMissingNodeIsAskedOfItsNearestAncestorForTheAccessTheRequestNeeds() {
        // C 4.17 (checked with a guest under the shim): get_node() keeps ENOENT when the nearest
        // existing ancestor grants what the request needs, so a write-only parent lets a guest
        // create below it, and a read-only one does not.
        assertEquals("OK", dom0.write("/wo", ""));
        assertEquals("OK", dom0.setPerms("/wo", "n0", "w3"));
        assertEquals("OK", g3.write("/wo/child", "c"));
        assertEquals("OK", g3.mkdir("/wo/child2"));
        assertEquals("OK", dom0.setPerms("/wo", "n0", "r3"));
        assertEquals("EACCES", g3.write("/wo/child3", "c"));
        assertEquals("EACCES", g3.rm("/wo/missing"));
        assertEquals("ENOENT", g3.read("/wo/missing"));
    }

    @Test
    void writeOnlyAccessAllowsWritingButNotReading() {
        assertEquals("OK", dom0.write("/drop", ""));
        assertEquals("OK", dom0.setPerms("/drop", "n0", "w3"));
        assertEquals("OK", g3.write("/drop", "secret"));
        assertEquals("EACCES", g3.read("/drop"));
    }

    // --- ENOENT versus EACCES ---

    @Test
    void missingNodeUnderAReadableParentIsEnoent() {
        assertEquals("ENOENT", g3.read("/local/domain/3/missing"));
        assertEquals("ENOENT", g3.read("/local/domain/3/missing/deeper"));
    }

    @Test
    void missingNodeUnderAnUnreadableParentIsEacces() {
        assertEquals("EACCES", g3.read("/local/domain/4/missing"));
        assertEquals("EACCES", g3.read("/local/domain/4/missing/deeper"));
        assertEquals("EACCES", g3.dir("/local/domain/4/missing"));
    }

    @Test
    void existingUnreadableNodeIsEacces() {
        assertEquals("OK", g4.write("/local/domain/4/x", "4"));
        assertEquals("EACCES", g3.read("/local/domain/4/x"));
    }

    @Test
    void rmOfAMissingNodeUnderAnUnreadableParentIsEacces() {
        assertEquals("EACCES", g3.rm("/local/domain/4/missing"));
    }

    // --- creation ---

    @Test
    void creatingANodeNeedsWriteOnTheNearestExistingAncestor() {
        assertEquals("EACCES", g3.write("/local/domain/4/x", "1"));
        assertEquals("EACCES", g3.write("/newtop/x", "1"));
        assertEquals("EACCES", g3.mkdir("/newtop"));
    }

    @Test
    void anUnprivilegedCreatorOwnsTheNodeAndItsImplicitParents() {
        assertEquals("OK", dom0.mkdir("/shared"));
        assertEquals("OK", dom0.setPerms("/shared", "r0", "b3"));
        assertEquals("OK", g3.write("/shared/a/b", "v"));
        assertEquals("r3 b3", dom0.getPerms("/shared/a"));
        assertEquals("r3 b3", dom0.getPerms("/shared/a/b"));
        assertEquals("r0 b3", dom0.getPerms("/shared"));
        assertEquals(3, xs.store.nodesOwnedBy(3), "home, a and a/b");
    }

    @Test
    void aPrivilegedCreatorCopiesTheParentsPermissionsUnchanged() {
        assertEquals("OK", dom0.write("/local/domain/3/fromdom0", "v"));
        assertEquals("n3", dom0.getPerms("/local/domain/3/fromdom0"));
        assertEquals("v", g3.read("/local/domain/3/fromdom0"));
    }

    @Test
    void relativePathsResolveUnderTheGuestsHome() {
        assertEquals("OK", g3.write("data/x", "1"));
        assertEquals("1", g3.read("/local/domain/3/data/x"));
        assertEquals("1", dom0.read("/local/domain/3/data/x"));
        assertEquals("/local/domain/3", g3.call(MessageType.GET_DOMAIN_PATH, 0, "3"));
    }

    // --- SET_PERMS ---

    @Test
    void setPermsByANonOwnerIsEacces() {
        assertEquals("OK", dom0.write("/n", "v"));
        assertEquals("OK", dom0.setPerms("/n", "n0", "b3"));
        assertEquals("EACCES", g3.setPerms("/n", "n0", "b3", "r4"));
    }

    @Test
    void ownerMayChangeTheAclButNotTheOwner() {
        assertEquals("OK", g3.write("/local/domain/3/x", "v"));
        assertEquals("OK", g3.setPerms("/local/domain/3/x", "n3", "r4"));
        assertEquals("v", g4.read("/local/domain/3/x"));
        assertEquals("EPERM", g3.setPerms("/local/domain/3/x", "n4"));
        assertEquals("n3 r4", g3.getPerms("/local/domain/3/x"));
    }

    @Test
    void privilegedCallerMayChangeTheOwner() {
        assertEquals("OK", g3.write("/local/domain/3/x", "v"));
        assertEquals("OK", dom0.setPerms("/local/domain/3/x", "n4"));
        assertEquals("EACCES", g3.read("/local/domain/3/x"));
        assertEquals("v", g4.read("/local/domain/3/x"));
    }

    @Test
    void malformedPermissionsAreEinval() {
        assertEquals("EINVAL", dom0.setPerms("/tool", "x0"));
        assertEquals("EINVAL", dom0.setPerms("/tool", "r"));
        assertEquals("EINVAL", dom0.setPerms("/tool", "r0x"));
        assertEquals("EINVAL", dom0.setPerms("/tool", "r08"));
        assertEquals("EINVAL", dom0.setPerms("/tool", "r1 "));
        assertEquals("n0", dom0.getPerms("/tool"));
    }

    @Test
    void domidsAreReadAsCsStrtolReadsThem() {
        assertEquals("OK", dom0.setPerms("/tool", "n 0", "r0x10", "w010", "b+5"));
        assertEquals("n0 r16 w8 b5", dom0.getPerms("/tool"));
        assertEquals("OK", dom0.setPerms("/tool", "n4294967296"));
        assertEquals("n0", dom0.getPerms("/tool"), "kept to 32 bits, as C keeps it");
    }

    @Test
    void anOwnerThatCannotExistIsEnoent() {
        assertEquals("ENOENT", dom0.setPerms("/tool", "r65536"));
        assertEquals("ENOENT", dom0.setPerms("/tool", "r-1"));
        assertEquals("ENOENT", dom0.setPerms("/tool", "n32752"));
        assertEquals("n0", dom0.getPerms("/tool"));
    }

    @Test
    void anEntryForADomainThatCannotExistIsKeptButNeverHonoured() {
        assertEquals("OK", dom0.write("/local/domain/3/x", "v"));
        assertEquals("OK", dom0.setPerms("/local/domain/3/x", "n0", "r99999999", "r-1"));
        assertEquals("n0 r99999999 r-1", dom0.getPerms("/local/domain/3/x"));
        assertEquals("EACCES", g3.read("/local/domain/3/x"));
    }

    // --- privileged operations ---

    @Test
    void privilegedOperationsAreEaccesForGuests() {
        assertEquals("EACCES", g3.call(MessageType.INTRODUCE, 0, "9", "1", "1"));
        assertEquals("EACCES", g3.call(MessageType.RELEASE, 0, "4"));
        assertEquals("EACCES", g3.call(MessageType.SET_TARGET, 0, "3", "4"));
        assertEquals("EACCES", g3.call(MessageType.RESUME, 0, "4"));
        assertEquals("EACCES", g3.call(MessageType.IS_DOMAIN_INTRODUCED, 0, "4"));
        assertEquals("EACCES", g3.control("check"));
        assertEquals("EACCES", g3.call(MessageType.SET_QUOTA, 0, "nodes", "5000"));
        assertEquals("EACCES", g3.call(MessageType.GET_QUOTA, 0, "nodes"));
        assertEquals("EACCES", g3.call(MessageType.GET_QUOTA, 0));
        assertEquals("EACCES", g3.call(MessageType.SET_FEATURE, 0, "3", "0"));
        assertEquals("EACCES", g3.call(MessageType.GET_FEATURE, 0, "4"));
    }

    @Test
    void guestsMayAskForTheirOwnFeatures() {
        assertEquals("15", g3.call(MessageType.GET_FEATURE, 0));
    }

    // --- DOMID_ANY (0x7FF5 = 32757), feature bit 8 ---

    @Test
    void aDomidAnyEntryGrantsEveryDomainWhenTheWriterHasTheFeature() {
        assertEquals("OK", g3.write("shared", "s"));
        assertEquals("OK", g3.setPerms("shared", "n3", "r32757"));
        assertEquals("s", g4.read("/local/domain/3/shared"));
        assertEquals("EACCES", g4.write("/local/domain/3/shared", "x"));
    }

    @Test
    void aDomidAnyEntryFromAWriterWithoutTheFeatureIsKeptButNotHonoured() {
        assertEquals("OK", dom0.call(MessageType.SET_FEATURE, 0, "9", "7"));
        Client g9 = xs.guest(9);
        assertEquals("OK", g9.write("shared", "s"));
        assertEquals("OK", g9.setPerms("shared", "n9", "r32757"));
        assertEquals("n9 r32757", g9.getPerms("shared"));
        assertEquals("EACCES", g4.read("/local/domain/9/shared"));
    }

    @Test
    void aDomidAnyEntryShadowsLaterEntriesFirstMatchWins() {
        assertEquals("OK", dom0.write("/any", "v"));
        assertEquals("OK", dom0.setPerms("/any", "n0", "r32757", "b4"));
        assertEquals("v", g4.read("/any"));
        assertEquals("EACCES", g4.write("/any", "x"));
    }

    // --- watch events filtered by read permission (XSA-115) ---

    @Test
    void guestWatchingRootOnlySeesEventsForNodesItMayReadXsa115() {
        assertEquals("OK", g3.watch("/", "t"));
        assertEquals(List.of("/ t"), g3.events());
        assertEquals("OK", dom0.write("/secret", "s"));
        assertEquals("OK", g4.write("/local/domain/4/private", "p"));
        assertEquals(List.of(), g3.events());
        assertEquals("OK", dom0.write("/local/domain/3/mine", "m"));
        assertEquals(List.of("/local/domain/3/mine t"), g3.events());
    }

    @Test
    void settingPermsThatGrantReadNotifiesXsa115() {
        assertEquals("OK", dom0.write("/pub", "p"));
        assertEquals("OK", g3.watch("/pub", "t"));
        g3.events();
        assertEquals("OK", dom0.setPerms("/pub", "r0"));
        assertEquals(List.of("/pub t"), g3.events());
    }

    @Test
    void setPermsRemovingReadAccessStillNotifiesUsingTheOldPermsXsa115() {
        assertEquals("OK", dom0.write("/pub", "p"));
        assertEquals("OK", dom0.setPerms("/pub", "r0"));
        assertEquals("OK", g3.watch("/pub", "t"));
        g3.events();
        assertEquals("OK", dom0.setPerms("/pub", "n0"));
        assertEquals(List.of("/pub t"), g3.events());
        assertEquals("OK", dom0.write("/pub", "after"));
        assertEquals(List.of(), g3.events());
    }

    @Test
    void eventForAnUnreadableNodeIsDeliveredWhenItsParentIsReadableXsa115() {
        // C's watch_permitted(): the node's perms, else its parent's perms.
        assertEquals("OK", g3.watch("/local/domain/3", "t"));
        g3.events();
        assertEquals("OK", dom0.write("/local/domain/3/hidden", "h"));
        assertEquals(List.of("/local/domain/3/hidden t"), g3.events());
        assertEquals("OK", dom0.setPerms("/local/domain/3/hidden", "n0"));
        assertEquals(List.of("/local/domain/3/hidden t"), g3.events());
        assertEquals("OK", dom0.write("/local/domain/3/hidden", "again"));
        assertEquals(List.of("/local/domain/3/hidden t"), g3.events());
    }

    @Test
    void rmEventsAreFilteredByTheRemovedNodesPermissions() {
        assertEquals("OK", dom0.write("/secret/a", "s"));
        assertEquals("OK", g3.watch("/", "t"));
        g3.events();
        assertEquals("OK", dom0.rm("/secret"));
        assertEquals(List.of(), g3.events());
        assertEquals("OK", g3.write("/local/domain/3/x", "1"));
        g3.events();
        assertEquals("OK", dom0.rm("/local/domain/3/x"));
        assertEquals(List.of("/local/domain/3/x t"), g3.events());
    }

    @Test
    void specialEventsReachGuestsOnlyWithReadOnTheSpecialNode() {
        assertEquals("OK", g3.watch("@releaseDomain", "rel"));
        assertEquals(List.of("@releaseDomain rel"), g3.events());
        assertEquals("OK", dom0.call(MessageType.INTRODUCE, 0, "20", "1", "1"));
        assertEquals("OK", dom0.call(MessageType.RELEASE, 0, "20"));
        assertEquals(List.of(), g3.events());
        assertEquals("OK", dom0.setPerms("@releaseDomain", "n0", "r3"));
        assertEquals("OK", dom0.call(MessageType.INTRODUCE, 0, "21", "1", "1"));
        assertEquals("OK", dom0.call(MessageType.RELEASE, 0, "21"));
        assertEquals(List.of("@releaseDomain rel"), g3.events());
    }

    @Test
    void guestsCannotSetPermsOnSpecialNodes() {
        assertEquals("EACCES", g3.setPerms("@releaseDomain", "n0", "r3"));
    }

    // --- stale entries (XSA-322) ---

    @Test
    void aclEntryForAReleasedDomainIsNotHonouredForTheNextDomainWithThatIdXsa322() {
        Client g7 = xs.guest(7);
        assertEquals("OK", dom0.write("/for7", "v"));
        assertEquals("OK", dom0.setPerms("/for7", "n0", "r7"));
        assertEquals("v", g7.read("/for7"));
        assertEquals("OK", dom0.call(MessageType.RELEASE, 0, "7"));
        Client newG7 = xs.guest(7);
        assertEquals("EACCES", newG7.read("/for7"));
        assertEquals("n0", dom0.getPerms("/for7"));
    }

    @Test
    void entryNamingADomainCreatedAfterTheNodeWasWrittenIsIgnoredXsa322() {
        Store store = new Store(0);
        DomainRegistry registry = new DomainRegistry(store, 0, 0);
        PermissionCheck check = new PermissionCheck(registry);
        Perms perms = new Perms(List.of(new Perm(Access.NONE, 0), new Perm(Access.READ, 7)));
        long nodeWritten = store.nextGeneration();
        Caller c7 = Caller.unprivileged(7);
        assertFalse(check.allows(c7, perms, nodeWritten, Access.READ), "unknown domain");
        store.nextGeneration();
        registry.ensure(7);
        assertFalse(check.allows(c7, perms, nodeWritten, Access.READ), "domain younger than the node");
        assertTrue(check.allows(c7, perms, store.nextGeneration(), Access.READ), "node written after the domain");
    }

    @Test
    void staleOrUnknownOwnerStillOwnsForTheCheckButDefaultLetterApplies() {
        PermissionCheck check = new PermissionCheck(new DomainRegistry(new Store(0), 0, 0));
        Perms perms = new Perms(List.of(new Perm(Access.READ, 9)));
        assertTrue(check.allows(Caller.unprivileged(9), perms, 1, Access.WRITE));
        assertTrue(check.allows(Caller.unprivileged(5), perms, 1, Access.READ));
        assertFalse(check.allows(Caller.unprivileged(5), perms, 1, Access.WRITE));
    }

    // --- SET_TARGET ---

    @Test
    void aCallerActingForATargetGetsTheTargetsRights() {
        PermissionCheck check = new PermissionCheck(xs.registry);
        xs.guest(8);
        assertEquals("OK", dom0.call(MessageType.SET_TARGET, 0, "8", "4"));
        Caller stub = Caller.unprivileged(8);
        Perms ownedBy4 = Perms.ownedBy(4);
        assertTrue(check.allows(stub, ownedBy4, xs.store.generation(), Access.WRITE));
        assertTrue(check.owns(stub, ownedBy4));
        Perms aclFor4 = new Perms(List.of(new Perm(Access.NONE, 0), new Perm(Access.READ, 4)));
        assertTrue(check.allows(stub, aclFor4, xs.store.generation(), Access.READ));
        assertFalse(check.allows(Caller.unprivileged(9), aclFor4, xs.store.generation(), Access.READ));
    }

    @Test
    void afterSetTargetAStubDomainHasItsTargetsRights() {
        Client stub = xs.guest(8);
        assertEquals("OK", g4.write("/local/domain/4/device", "d"));
        assertEquals("EACCES", stub.read("/local/domain/4/device"));
        assertEquals("OK", dom0.call(MessageType.SET_TARGET, 0, "8", "4"));
        assertEquals("d", stub.read("/local/domain/4/device"));
        assertEquals("OK", stub.write("/local/domain/4/device", "by stub"));
    }

    @Test
    void setTargetNeedsBothDomainsIntroduced() {
        assertEquals("ENOENT", dom0.call(MessageType.SET_TARGET, 0, "3", "99"));
        assertEquals("ENOENT", dom0.call(MessageType.SET_TARGET, 0, "99", "3"));
    }
}
