package org.jxenstore.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jxenstore.access.Caller;
import org.jxenstore.access.Perm;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.migration.MigrationRecord.End;
import org.jxenstore.migration.MigrationRecord.NodeData;
import org.jxenstore.protocol.Permission.Access;
import org.jxenstore.store.NodePath;
import org.jxenstore.store.Store;
import org.junit.jupiter.api.Test;

class TreeImageTest {
    private final XsFixture before = new XsFixture();
    private final Client admin = before.dom0();

    @Test
    void aLoadedTreeHasEveryNodeValueAndPermissionInItsOrder() throws IOException {
        populate();
        XsFixture after = loaded();
        assertEquals(render(before.store), render(after.store));
        assertEquals(before.store.specialPerms(NodePath.RELEASE_DOMAIN), after.store.specialPerms(NodePath.RELEASE_DOMAIN));
    }

    @Test
    void aLoadedTreeGrantsWhatTheOriginalGrantedAndIgnoresWhatItIgnored() throws IOException {
        populate();
        Client guestBefore = before.client(Caller.unprivileged(3));
        Client guestAfter = loaded().client(Caller.unprivileged(3));
        for (String path : List.of("/p/x", "/p/y", "/local/domain/3/data")) {
            assertEquals(guestBefore.read(path), guestAfter.read(path), path);
        }
        assertEquals("v1", guestAfter.read("/p/x"));
        assertEquals("EACCES", guestAfter.read("/p/y"), "an entry for a domain that did not exist stays ignored");
    }

    @Test
    void aNodeBeforeItsParentIsRefused() {
        Store store = new XsFixture().store;
        XsFixture target = new XsFixture();
        MigrationFormatException e = assertThrows(MigrationFormatException.class, () -> TreeImage.load(
                new NodeData(0, 0, 0, List.of(new Perm(Access.NONE, 0)), "/a/b", new byte[0]), store,
                target.registry));
        assertEquals("migration stream: node /a/b comes before its parent", e.getMessage());
    }

    @Test
    void anUnknownSpecialNodeIsRefused() {
        XsFixture target = new XsFixture();
        assertThrows(MigrationFormatException.class, () -> TreeImage.load(
                new NodeData(0, 0, 0, List.of(new Perm(Access.NONE, 0)), "@bogus", new byte[0]), target.store,
                target.registry));
    }

    private void populate() {
        before.guest(3);
        assertEquals("OK", admin.write("/p/x", "v1"));
        assertEquals("OK", admin.write("/p/y", "v2"));
        assertEquals("OK", admin.write("/p/a", ""));
        assertEquals("OK", admin.setPerms("/p/x", "n0", "r3"));
        assertEquals("OK", admin.setPerms("/p/y", "n0", "r9"));
        assertEquals("OK", admin.setPerms(NodePath.RELEASE_DOMAIN, "n0", "r3"));
        assertEquals("OK", before.client(Caller.unprivileged(3)).write("/local/domain/3/data", "mine"));
    }

    /** A new daemon's parts with the tree of {@link #before} loaded through a stream. */
    private XsFixture loaded() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MigrationWriter writer = new MigrationWriter(bytes);
        TreeImage.write(before.store, before.registry, writer);
        writer.finish();
        XsFixture after = new XsFixture();
        MigrationReader reader = new MigrationReader(new ByteArrayInputStream(bytes.toByteArray()));
        for (MigrationRecord r = reader.next(); !(r instanceof End); r = reader.next()) {
            TreeImage.load(assertInstanceOf(NodeData.class, r), after.store, after.registry);
        }
        return after;
    }

    /** Every node: path, value, permissions (with their stale marks), in walk order. */
    private static String render(Store store) {
        StringBuilder sb = new StringBuilder();
        Store.walk(NodePath.ROOT, store.root(), (path, node) -> sb.append(path).append(" = ")
                .append(new String(node.value(), StandardCharsets.ISO_8859_1)).append(' ')
                .append(node.perms().entries().stream().map(p -> p + (p.stale() ? "!" : "")).toList()).append('\n'));
        return sb.toString();
    }
}
