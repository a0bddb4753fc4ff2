package org.jxenstore.exec;

import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.quota.QuotaTable;
import org.jxenstore.store.Store;
import org.jxenstore.watch.WatchIndex;

/**
 * Everything the daemon knows that a client could notice losing: the tree, the domains, the
 * watches, the quota values, and each connection's session (its transactions and watches). A
 * dump of the daemon's state is a walk over this object; every other part is rebuilt from it.
 *
 * @param store    the live node tree, with the special nodes' permissions and the ownership index
 * @param domains  what is known of each domain
 * @param watches  every registered watch, by path
 * @param quotas   global, per-domain and soft quota values
 * @param sessions every connection's protocol state
 */
public record DaemonState(Store store, DomainRegistry domains, WatchIndex watches, QuotaTable quotas, Sessions sessions) {
}
