package org.jxenstore.journal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.jxenstore.exec.DaemonState;
import org.jxenstore.migration.MigrationRecord.DomainReset;
import org.jxenstore.migration.MigrationRecord.NodeRemoved;
import org.jxenstore.migration.MigrationWriter;
import org.jxenstore.migration.SettingsImage;
import org.jxenstore.migration.TreeImage;
import org.jxenstore.quota.QuotaTable;
import org.jxenstore.store.Node;
import org.jxenstore.store.StoreListener;

/**
 * Remembers what changed since the last journal entry, and writes it as records that state each
 * changed thing as it is now: a node's value and permissions or its removal, a domain's whole
 * state, the quota settings. A node changed ten times is written once.
 *
 * <p>Replaying the records in order rebuilds the same tree, child order included. A node moves
 * to the end of the list when it is created or removed, not when it is rewritten: a parent is
 * created before its children, so it comes first, and siblings come in the order they were
 * created. Nodes come before domains, so a domain whose nodes were just removed can be forgotten.
 */
final class StateRecorder implements StoreListener, QuotaTable.Listener {
    private final DaemonState state;
    private final LinkedHashSet<String> paths = new LinkedHashSet<>();
    private final LinkedHashSet<Integer> domains = new LinkedHashSet<>();
    private boolean globals;

    StateRecorder(DaemonState state) {
        this.state = state;
    }

    @Override
    public void written(String path, boolean created) {
        if (created) {
            paths.remove(path);
        }
        paths.add(path);
    }

    @Override
    public void removed(String path) {
        paths.remove(path);
        paths.add(path);
    }

    @Override
    public void globalsChanged() {
        globals = true;
    }

    @Override
    public void domainChanged(int domid) {
        domains.add(domid);
    }

    boolean pending() {
        return globals || !paths.isEmpty() || !domains.isEmpty();
    }

    /** Writes the records of everything changed since the last call, and forgets it. */
    void drainTo(MigrationWriter out) throws IOException {
        for (String p : paths) {
            if (state.store().isSpecialNode(p)) {
                out.write(TreeImage.special(p, state.store(), state.domains()));
                continue;
            }
            Node n = state.store().get(p);
            out.write(n == null ? new NodeRemoved(p) : TreeImage.record(p, n, state.domains()));
        }
        paths.clear();
        List<Integer> changed = new ArrayList<>(domains);
        domains.clear();
        for (int domid : changed) {
            out.write(new DomainReset(domid));
            DomainImage.writeSettings(domid, state, out);
            DomainImage.writeConnection(domid, state, out);
        }
        if (globals) {
            SettingsImage.writeGlobals(state.quotas(), out);
            globals = false;
        }
    }
}
