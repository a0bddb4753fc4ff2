package org.jxenstore.journal;

import java.io.IOException;
import java.util.TreeSet;
import org.jxenstore.domain.Domain;
import org.jxenstore.exec.DaemonState;
import org.jxenstore.migration.MigrationWriter;
import org.jxenstore.migration.SettingsImage;
import org.jxenstore.migration.TreeImage;

/**
 * The daemon's durable state as one migration stream: the quota settings and each domain's own
 * (GLOBAL_QUOTA_DATA, DOMAIN_DATA), the tree (NODE_DATA), then every introduced domain's ring
 * with its watches and open transactions. Socket connections are not part of it: their clients
 * reconnect.
 */
public final class StateImage {
    private StateImage() {
    }

    public static void write(DaemonState state, MigrationWriter out) throws IOException {
        SettingsImage.write(state.quotas(), state.domains(), out);
        TreeImage.write(state.store(), state.domains(), out);
        TreeSet<Integer> introduced = new TreeSet<>();
        for (Domain d : state.domains().introduced()) {
            introduced.add(d.domid());
        }
        for (int domid : introduced) {
            DomainImage.writeConnection(domid, state, out);
        }
        out.finish();
    }
}
