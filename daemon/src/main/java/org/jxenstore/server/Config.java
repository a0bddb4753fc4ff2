package org.jxenstore.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jxenstore.quota.Quota;

/**
 * Everything the daemon is told at start: where to listen, what to log, and the quota defaults.
 *
 * @param socketPath          the Unix socket to serve (mode 0600)
 * @param pidFile             where to write the daemon's pid, or {@code null}
 * @param traceFile           the access log (C's {@code -T}), or {@code null}
 * @param noDomainInit        {@code -D}: serve the socket only, no Xen domain set-up
 * @param verbose             {@code -V}: log every message to standard error
 * @param keepOrphans         {@code -K}: a dead domain's nodes pass to dom0 instead of being deleted
 * @param masterDomid         the domain xenstored itself runs in ({@code --master-domid})
 * @param privDomid           the privileged (toolstack) domain ({@code --priv-domid})
 * @param hardQuotas          the global defaults of every quota
 * @param softMemory          the soft memory quota (a warning), 0 for none
 * @param watchEventTimeoutS  seconds an undelivered watch event is kept for an unprivileged domain
 * @param journalDir          where the journal keeps the state across a restart, or {@code null}
 *                            for none
 * @param liveUpdate          {@code -U}: take over the state a live update's previous binary left
 * @param arguments           the command line as given, for a live update to start the next
 *                            binary with
 * @param metricsAddress      where to serve metrics ({@code --metrics}), or {@code null}
 */
public record Config(
        Path socketPath,
        Path pidFile,
        Path traceFile,
        boolean noDomainInit,
        boolean verbose,
        boolean keepOrphans,
        int masterDomid,
        int privDomid,
        Map<Quota, Integer> hardQuotas,
        int softMemory,
        int watchEventTimeoutS,
        Path journalDir,
        boolean liveUpdate,
        List<String> arguments,
        InetSocketAddress metricsAddress) {

    public Config {
        EnumMap<Quota, Integer> q = new EnumMap<>(Quota.class);
        for (Quota quota : Quota.values()) {
            q.put(quota, quota.defaultValue());
        }
        q.putAll(hardQuotas);
        hardQuotas = Map.copyOf(q);
        arguments = List.copyOf(arguments);
    }

    /** C xenstored's defaults, serving {@code socketPath} without domain initialisation. */
    public static Config defaults(Path socketPath) {
        return new Config(socketPath, null, null, true, false, false, 0, 0,
                Map.of(), Quota.SOFT_MEMORY_DEFAULT, 20, null, false, List.of(), null);
    }

    public Config withTraceFile(Path file) {
        return new Config(socketPath, pidFile, file, noDomainInit, verbose, keepOrphans, masterDomid,
                privDomid, hardQuotas, softMemory, watchEventTimeoutS, journalDir, liveUpdate, arguments,
                metricsAddress);
    }

    public Config withJournal(Path dir) {
        return new Config(socketPath, pidFile, traceFile, noDomainInit, verbose, keepOrphans, masterDomid,
                privDomid, hardQuotas, softMemory, watchEventTimeoutS, dir, liveUpdate, arguments, metricsAddress);
    }
}
