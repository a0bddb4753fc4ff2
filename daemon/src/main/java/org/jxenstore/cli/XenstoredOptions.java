package org.jxenstore.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jxenstore.quota.Quota;
import org.jxenstore.quota.QuotaAssignment;
import org.jxenstore.protocol.Wire;
import org.jxenstore.server.Config;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * C xenstored's command line (4.17, plus the options 4.22 kept), as picocli options.
 *
 * <p>The quota options are setter methods, not fields, because C applies them left to right into
 * one table: {@code -E 5 -Q nodes=7} ends with 7, {@code -Q nodes=7 -E 5} with 5.
 */
@Command(name = "jxenstored",
        sortOptions = false,
        abbreviateSynopsis = true,
        description = "The xenstore daemon, in Java: a drop-in replacement for C xenstored.%n")
final class XenstoredOptions {

    /** C's default watch-event timeout, in seconds. */
    static final int WATCH_EVENT_TIMEOUT_DEFAULT_S = 20;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-D", "--no-domain-init"}, order = 1,
            description = "Serve the Unix socket only: no dom0 set-up, no guest rings, no Xen needed.")
    private boolean noDomainInit;

    @Option(names = {"-F", "--pid-file"}, paramLabel = "<file>", order = 2,
            description = "Write the daemon's pid to <file> once it serves. The file stays locked"
                    + " while the daemon runs (a second daemon given it refuses to start) and is"
                    + " removed when it stops.")
    private Path pidFile;

    @Option(names = {"-H", "--help"}, usageHelp = true, order = 3,
            description = "Print this help and exit.")
    private boolean help;

    // Read by bin/jxenstored, which detaches the JVM unless it is given; Java itself never forks.
    @Option(names = {"-N", "--no-fork"}, order = 4,
            description = "Stay in the foreground, logging to standard error. Without it,"
                    + " bin/jxenstored detaches the daemon, which logs to syslog too, and returns"
                    + " once it serves.")
    private boolean noFork;

    @Option(names = {"-P", "--output-pid"}, order = 5,
            description = "Print the daemon's pid on standard output once it serves.")
    private boolean outputPid;

    @Option(names = {"-T", "--trace-file"}, paramLabel = "<file>", order = 6,
            description = "Write the access log to <file>.")
    private Path traceFile;

    @Option(names = {"-V", "--verbose"}, order = 7,
            description = "Log every message to standard error.")
    private boolean verbose;

    @Option(names = {"-K", "--keep-orphans"}, order = 8,
            description = "When a domain goes away, its nodes pass to dom0 instead of being"
                    + " deleted (a security risk, as in C).")
    private boolean keepOrphans;

    @Option(names = "--journal", paramLabel = "<dir>", order = 20,
            description = "Keep the journal (the state, across a crash or restart) in <dir>;"
                    + " default: jxenstored-state beside the socket.")
    private Path journalDir;

    @Option(names = "--metrics", paramLabel = "<host>:<port>", order = 22,
            converter = MetricsAddress.class,
            description = "Serve OpenMetrics text at http://<host>:<port>/metrics, bound to that"
                    + " address only (off by default).")
    private InetSocketAddress metrics;

    /** {@code HOST:PORT}, the host an address or a name ({@code [::1]:9100} for IPv6). */
    static final class MetricsAddress implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new CommandLine.TypeConversionException("expected <host>:<port>, got \"" + value + "\"");
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 0xFFFF) {
                throw new CommandLine.TypeConversionException("port of \"" + value + "\" is not 0 to 65535");
            }
            return new InetSocketAddress(host, port);
        }
    }

    @Option(names = "--no-journal", order = 21,
            description = "Keep the state in memory only, as C xenstored does: a restart starts"
                    + " empty.")
    private boolean noJournal;

    private int masterDomid;
    private int privDomid;

    /** The journal's folder, beside the socket unless {@code --journal} says otherwise. */
    static final String JOURNAL_DIR = "jxenstored-state";

    private final Map<Quota, Integer> hardQuotas = new EnumMap<>(Quota.class);
    private int softMemory = Quota.SOFT_MEMORY_DEFAULT;
    private int watchEventTimeoutS = WATCH_EVENT_TIMEOUT_DEFAULT_S;

    @Option(names = {"-U", "--live-update"}, order = 30,
            description = "Take over the state a live update's previous binary left in state_dump"
                    + " beside the socket (added by live update itself).")
    private boolean liveUpdate;

    @Option(names = "--check-state", paramLabel = "<file>", order = 31,
            description = "Check that <file>, a live update's state, can be taken over, and exit"
                    + " (live update runs this before it hands over).")
    private Path checkState;

    // A group only for its help heading; "0..*" because picocli starts a new group instance when
    // one of its options repeats.
    @ArgGroup(exclusive = false, multiplicity = "0..*", order = 40,
            heading = "%nAccepted for compatibility, no effect:%n")
    private List<CompatibilityOptions> compatibility;

    /** Options of C xenstored that mean nothing for jxenstore; C's start scripts may pass them. */
    static final class CompatibilityOptions {
        @Option(names = {"-R", "--no-recovery"},
                description = "No effect: there is no on-disk database to recover.")
        private boolean noRecovery;

        @Option(names = {"-I", "--internal-db"}, arity = "0..1", paramLabel = "on|off",
                description = "No effect: the store is always in memory.")
        private String internalDb;

        @Option(names = {"-e", "--event"}, paramLabel = "<port>",
                description = "No effect: dom0's event channel (for a stub-domain xenstored).")
        private String event;

        @Option(names = "--trace-control", paramLabel = "+|-<switch>",
                description = "No effect: C's trace switches (obj io wrl acc tdb); -V and -T"
                        + " cover jxenstore's logging.")
        private List<String> traceControl = new ArrayList<>();
    }

    @Option(names = {"-E", "--entry-nb"}, paramLabel = "<nb>", order = 10,
            description = "Nodes per domain (= -Q nodes=<nb>).")
    void entryNb(String nb) {
        hardQuotas.put(Quota.NODES, count("--entry-nb", nb));
    }

    @Option(names = {"-S", "--entry-size"}, paramLabel = "<size>", order = 11,
            description = "Maximum size of a node (= -Q node-size=<size>).")
    void entrySize(String size) {
        hardQuotas.put(Quota.NODE_SIZE, count("--entry-size", size));
    }

    @Option(names = {"-W", "--watch-nb"}, paramLabel = "<nb>", order = 12,
            description = "Watches per domain (= -Q watches=<nb>).")
    void watchNb(String nb) {
        hardQuotas.put(Quota.WATCHES, count("--watch-nb", nb));
    }

    @Option(names = {"-t", "--transaction"}, paramLabel = "<nb>", order = 13,
            description = "Concurrent transactions per domain (= -Q transactions=<nb>).")
    void transaction(String nb) {
        hardQuotas.put(Quota.TRANSACTIONS, count("--transaction", nb));
    }

    @Option(names = {"-A", "--perm-nb"}, paramLabel = "<nb>", order = 14,
            description = "Permissions per node (= -Q node-permissions=<nb>).")
    void permNb(String nb) {
        hardQuotas.put(Quota.NODE_PERMISSIONS, count("--perm-nb", nb));
    }

    @Option(names = {"-M", "--path-max"}, paramLabel = "<chars>", order = 15,
            description = "Maximum length of a node path (= -Q path-max=<chars>), at most "
                    + Wire.REL_PATH_MAX + ".")
    void pathMax(String chars) {
        // C caps -M (but not -Q path-max) at XENSTORE_REL_PATH_MAX.
        hardQuotas.put(Quota.PATH_MAX, Math.min(Wire.REL_PATH_MAX, count("--path-max", chars)));
    }

    @Option(names = {"-Q", "--quota"}, paramLabel = "<what>=<nb>", order = 16,
            description = "Set the hard quota <what> (names below); repeatable.")
    void quota(String assignment) {
        QuotaAssignment q = parsed("--quota", () -> QuotaAssignment.hard(assignment));
        hardQuotas.put(q.quota(), q.value());
    }

    @Option(names = {"-q", "--quota-soft"}, paramLabel = "memory=<nb>", order = 17,
            description = "Set the soft memory quota: above it a warning is logged (default "
                    + Quota.SOFT_MEMORY_DEFAULT + ").")
    void quotaSoft(String assignment) {
        softMemory = parsed("--quota-soft", () -> QuotaAssignment.soft(assignment)).value();
    }

    @Option(names = {"-w", "--timeout"}, paramLabel = "watch-event=<s>", order = 18,
            description = "Seconds an undelivered watch event is kept for an unprivileged domain"
                    + " (default " + WATCH_EVENT_TIMEOUT_DEFAULT_S + ").")
    void timeout(String assignment) {
        String what = parsed("--timeout", () -> QuotaAssignment.name(assignment));
        if (!"watch-event".equals(what)) {
            throw invalid("--timeout", "unknown timeout \"" + what + "\" (only watch-event)");
        }
        watchEventTimeoutS = count("--timeout", QuotaAssignment.value(assignment));
    }

    @Option(names = {"-m", "--master-domid"}, paramLabel = "<domid>", order = 20,
            description = "The domain xenstored runs in (default 0).")
    void masterDomid(String domid) {
        masterDomid = domid("--master-domid", domid);
    }

    @Option(names = {"-p", "--priv-domid"}, paramLabel = "<domid>", order = 21,
            description = "The privileged (toolstack) domain (default 0).")
    void privDomid(String domid) {
        privDomid = domid("--priv-domid", domid);
    }

    /** A command line that fills this object, with the quota table appended to its help. */
    CommandLine commandLine() {
        CommandLine cli = new CommandLine(this);
        // getopt semantics, as in C: a repeated option overrides the earlier one.
        cli.setOverwrittenOptionsAllowed(true);
        cli.getCommandSpec().usageMessage().footer(footer());
        return cli;
    }

    /** The daemon's configuration: what was given, and C's default for everything else. */
    Config toConfig(Path socketPath) {
        return toConfig(socketPath, List.of());
    }

    /** @param arguments the command line as given, for a live update to start the next binary with */
    Config toConfig(Path socketPath, List<String> arguments) {
        return new Config(socketPath, absolute(pidFile), absolute(traceFile), noDomainInit,
                verbose, keepOrphans, masterDomid, privDomid, hardQuotas, softMemory,
                watchEventTimeoutS, noJournal ? null
                        : journalDir != null ? absolute(journalDir) : socketPath.resolveSibling(JOURNAL_DIR),
                liveUpdate, arguments, metrics);
    }

    boolean outputPid() {
        return outputPid;
    }

    /** The state file to check ({@code --check-state}), or {@code null}. */
    Path checkState() {
        return checkState;
    }

    private static String[] footer() {
        List<String> lines = new ArrayList<>();
        lines.add("%nQuotas (-Q <what>=<nb>; 0 disables one; they bind unprivileged domains only):");
        for (Quota quota : Quota.values()) {
            lines.add(String.format(Locale.ROOT, "  %-18s %8d  %s", quota.wireName(),
                    quota.defaultValue(), quota.description()));
        }
        lines.add("  (\"permissions\" is accepted for node-permissions.)");
        lines.add("%nEnvironment:");
        lines.add("  XENSTORED_PATH    the socket to serve, if set");
        lines.add("  XENSTORED_RUNDIR  else the socket is in this folder (default "
                + SocketLocation.DEFAULT_RUNDIR + ")");
        lines.add("  NOTIFY_SOCKET     set by systemd: readiness is reported with systemd-notify");
        return lines.toArray(String[]::new);
    }

    // Paths are made absolute now, as C does, so that they do not depend on a later cwd.
    private static Path absolute(Path path) {
        return path == null ? null : path.toAbsolutePath();
    }

    /** An unsigned decimal up to INT_MAX, as C's get_optval_uint() takes. */
    private int count(String option, String text) {
        return parsed(option, () -> QuotaAssignment.count(text));
    }

    /** What {@code parse} makes of an option's value; its complaint becomes a usage error. */
    private <T> T parsed(String option, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw invalid(option, e.getMessage());
        }
    }

    private int domid(String option, String text) {
        int domid = count(option, text);
        // DOMID_SELF is DOMID_FIRST_RESERVED: the ids from there on name no domain.
        if (domid >= Wire.DOMID_SELF) {
            throw invalid(option, "invalid domid " + domid + " (expected 0.." + (Wire.DOMID_SELF - 1) + ")");
        }
        return domid;
    }

    private ParameterException invalid(String option, String message) {
        return new ParameterException(spec.commandLine(), option + ": " + message);
    }
}
