package org.jxenstore.migration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jxenstore.domain.Domain;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.migration.MigrationRecord.DomainData;
import org.jxenstore.migration.MigrationRecord.GlobalQuotaData;
import org.jxenstore.migration.MigrationRecord.QuotaValue;
import org.jxenstore.quota.Quota;
import org.jxenstore.quota.QuotaTable;

/**
 * The quota settings and each domain's own settings as migration records, and back: one
 * GLOBAL_QUOTA_DATA with every quota's default by its GET/SET_QUOTA name (C writes them all as
 * per-domain defaults; the soft memory quota goes with them as {@code soft-memory}), and a
 * DOMAIN_DATA for each domain that has values of its own or features narrowed by SET_FEATURE.
 * Names a reader does not know are ignored, as the format asks.
 */
public final class SettingsImage {
    private SettingsImage() {
    }

    public static void write(QuotaTable quotas, DomainRegistry domains, MigrationWriter out) throws IOException {
        writeGlobals(quotas, out);
        TreeSet<Integer> domids = new TreeSet<>(quotas.domainsWithOwnValues());
        for (Domain d : domains.all()) {
            if (d.features() != Domain.SUPPORTED_FEATURES) {
                domids.add(d.domid());
            }
        }
        for (int domid : domids) {
            out.write(domain(domid, quotas, domains));
        }
    }

    /** The GLOBAL_QUOTA_DATA record: every quota's default, and the soft memory quota. */
    public static void writeGlobals(QuotaTable quotas, MigrationWriter out) throws IOException {
        List<QuotaValue> defaults = new ArrayList<>();
        for (Quota q : Quota.values()) {
            defaults.add(new QuotaValue(q.wireName(), quotas.global(q)));
        }
        defaults.add(new QuotaValue(Quota.SOFT_MEMORY, quotas.softMemory()));
        out.write(new GlobalQuotaData(defaults, List.of()));
    }

    /** One domain's DOMAIN_DATA: its features and the quota values it has of its own. */
    public static DomainData domain(int domid, QuotaTable quotas, DomainRegistry domains) {
        Domain d = domains.find(domid);
        List<QuotaValue> own = new ArrayList<>();
        for (Map.Entry<Quota, Integer> e : new TreeMap<>(quotas.ownValues(domid)).entrySet()) {
            own.add(new QuotaValue(e.getKey().wireName(), e.getValue()));
        }
        return new DomainData(domid, d == null ? Domain.SUPPORTED_FEATURES : d.features(), own);
    }

    public static void load(GlobalQuotaData g, QuotaTable quotas) {
        for (QuotaValue v : concat(g.perDomain(), g.global())) {
            if (v.name().equals(Quota.SOFT_MEMORY)) {
                quotas.setSoftMemory(v.value());
            } else {
                Quota q = Quota.byName(v.name());
                if (q != null) {
                    quotas.setGlobal(q, v.value());
                }
            }
        }
    }

    /** @param version the stream's: features are part of DOMAIN_DATA from version 2 on */
    public static void load(DomainData d, int version, QuotaTable quotas, DomainRegistry domains) {
        Domain domain = domains.ensure(d.domid());
        if (version >= 2) {
            domain.setFeatures(d.features() & Domain.SUPPORTED_FEATURES);
        }
        for (QuotaValue v : d.quotas()) {
            Quota q = Quota.byName(v.name());
            if (q != null) {
                quotas.setForDomain(d.domid(), q, v.value());
            }
        }
    }

    private static List<QuotaValue> concat(List<QuotaValue> a, List<QuotaValue> b) {
        List<QuotaValue> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
