package org.jxenstore.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jxenstore.access.Quota;
import org.jxenstore.access.QuotaTable;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.exec.ControlHandler;
import org.jxenstore.log.AccessLog;
import org.jxenstore.protocol.Decimal;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.jxenstore.store.Store;
import org.jxenstore.watch.WatchIndex;

/** The CONTROL commands that {@code xenstore-control} sends. */
public final class ControlCommands implements ControlHandler {
    private static final String HELP = """
            check\tverify the tree, child lists, accounting and watch index
            log\ton|off
            logfile\t<file>
            memreport\t[<file>]
            print\t<string>
            quota\t[set <name> <val>|<domid>]
            quota-soft\t[set <name> <val>]
            help\t
            """;

    private final Store store;
    private final WatchIndex watches;
    private final QuotaTable quotas;
    private final DomainRegistry domains;
    private final AccessLog log;
    private final Clients clients;

    public ControlCommands(Store store, WatchIndex watches, QuotaTable quotas, DomainRegistry domains,
            AccessLog log, Clients clients) {
        this.store = store;
        this.watches = watches;
        this.quotas = quotas;
        this.domains = domains;
        this.log = log;
        this.clients = clients;
    }

    @Override
    public String run(List<String> args) throws XsException {
        List<String> rest = args.subList(1, args.size());
        return switch (args.getFirst()) {
            case "help" -> HELP;
            case "check" -> new StoreCheck(store, watches, clients.sessions()).run();
            case "log" -> log(rest);
            case "logfile" -> logfile(rest);
            case "memreport" -> memreport(rest);
            case "print" -> {
                log.note("print: " + String.join(" ", rest));
                yield "OK";
            }
            case "quota" -> quota(rest);
            case "quota-soft" -> quotaSoft(rest);
            // Live update needs the migration stream, which is not built yet: say so, never a silent OK.
            case "live-update" -> throw new XsException(XsError.ENOSYS, "live-update is not implemented");
            default -> throw new XsException(XsError.EINVAL);
        };
    }

    private String log(List<String> a) throws XsException {
        if (a.size() != 1 || !(a.getFirst().equals("on") || a.getFirst().equals("off"))) {
            throw new XsException(XsError.EINVAL);
        }
        log.setEnabled(a.getFirst().equals("on"));
        return "OK";
    }

    private String logfile(List<String> a) throws XsException {
        if (a.size() != 1) {
            throw new XsException(XsError.EINVAL);
        }
        try {
            log.openFile(Path.of(a.getFirst()));
        } catch (IOException | RuntimeException e) {
            throw new XsException(XsError.EIO);
        }
        return "OK";
    }

    private String memreport(List<String> a) throws XsException {
        String report = new MemoryReport(store, watches, domains, clients).render();
        if (a.isEmpty()) {
            return report;
        }
        try {
            Files.writeString(Path.of(a.getFirst()), report, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new XsException(XsError.EIO);
        }
        return "OK";
    }

    private String quota(List<String> a) throws XsException {
        if (a.isEmpty()) {
            StringBuilder sb = new StringBuilder("Quota settings:\n");
            for (Quota q : Quota.values()) {
                sb.append(String.format("%-17s: %8d %s%n", q.wireName(), quotas.global(q), q.description()));
            }
            return sb.toString();
        }
        if (a.getFirst().equals("set")) {
            if (a.size() != 3) {
                throw new XsException(XsError.EINVAL);
            }
            Quota q = Quota.byName(a.get(1));
            if (q == null) {
                throw new XsException(XsError.EINVAL);
            }
            quotas.setGlobal(q, (int) Decimal.parse(a.get(2), Integer.MAX_VALUE));
            return "OK";
        }
        if (a.size() != 1) {
            throw new XsException(XsError.EINVAL);
        }
        int domid = (int) Decimal.parse(a.getFirst(), Integer.MAX_VALUE);
        if (domains.find(domid) == null) {
            throw new XsException(XsError.ENOENT);
        }
        StringBuilder sb = new StringBuilder("Domain " + domid + ":\n");
        sb.append(String.format("%-16s: %8d (max %d)%n", "nodes", store.nodesOwnedBy(domid),
                quotas.limit(Quota.NODES, domid)));
        long watchCount = watches.all().stream().filter(w -> w.sink().caller().domid() == domid).count();
        sb.append(String.format("%-16s: %8d (max %d)%n", "watches", watchCount, quotas.limit(Quota.WATCHES, domid)));
        return sb.toString();
    }

    private String quotaSoft(List<String> a) throws XsException {
        if (a.isEmpty()) {
            return String.format("Quota settings:%n%-17s: %8d %s%n", "memory", quotas.softMemory(),
                    "Total Xenstore memory per domain (warning level)");
        }
        if (a.size() != 3 || !a.get(0).equals("set") || !a.get(1).equals("memory")) {
            throw new XsException(XsError.EINVAL);
        }
        quotas.setSoftMemory((int) Decimal.parse(a.get(2), Integer.MAX_VALUE));
        return "OK";
    }
}
