package org.jxenstore.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;
import org.jxenstore.protocol.Wire;
import org.jxenstore.quota.Quota;
import org.jxenstore.quota.QuotaAssignment;
import org.jxenstore.server.Config;

/**
 * C xenstored's command line (4.17, plus the options 4.22 kept), read as its getopt_long reads it,
 * with Apache Commons CLI. (Not picocli: its Java 5 classes cannot go into the AOT cache, and
 * loading them cost half of the daemon's start.)
 *
 * <p>The options are applied in the order given: a repeated option overrides the earlier one, and
 * the quota options fill one table left to right, as in C: {@code -E 5 -Q nodes=7} ends with 7,
 * {@code -Q nodes=7 -E 5} with 5.
 */
final class XenstoredOptions {

    /** C's default watch-event timeout, in seconds. */
    static final int WATCH_EVENT_TIMEOUT_DEFAULT_S = 20;

    /** The journal's folder, beside the socket unless {@code --journal} says otherwise. */
    static final String JOURNAL_DIR = "jxenstored-state";

    /** A command line that cannot be run; the message is one line, for standard error. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private boolean help;
    private boolean noDomainInit;
    private Path pidFile;
    private boolean outputPid;
    private Path traceFile;
    private boolean verbose;
    private boolean keepOrphans;
    private int masterDomid;
    private int privDomid;
    private final Map<Quota, Integer> hardQuotas = new EnumMap<>(Quota.class);
    private int softMemory = Quota.SOFT_MEMORY_DEFAULT;
    private int watchEventTimeoutS = WATCH_EVENT_TIMEOUT_DEFAULT_S;
    private Path journalDir;
    private boolean noJournal;
    private InetSocketAddress metrics;
    private boolean liveUpdate;
    private Path checkState;

    private XenstoredOptions() {
    }

    /** Options that the help shows together, after a blank line and the heading if any. */
    private record Group(String heading, List<Option> options) {
    }

    /** Every option, in the help's groups and order. */
    private static List<Group> groups() {
        return List.of(
                new Group(null, List.of(
                        flag("D", "no-domain-init", "Serve the Unix socket only: no dom0 set-up, no"
                                + " guest rings, no Xen needed."),
                        valued("F", "pid-file", "<file>", "Write the daemon's pid to <file> once it"
                                + " serves. The file stays locked while the daemon runs (a second"
                                + " daemon given it refuses to start) and is removed when it stops."),
                        flag("H", "help", "Print this help and exit."),
                        flag("N", "no-fork", "Stay in the foreground, logging to standard error."
                                + " Without it, bin/jxenstored detaches the daemon, which logs to"
                                + " syslog too, and returns once it serves."),
                        flag("P", "output-pid", "Print the daemon's pid on standard output once it"
                                + " serves."),
                        valued("T", "trace-file", "<file>", "Write the access log to <file>."),
                        flag("V", "verbose", "Log every message to standard error."),
                        flag("K", "keep-orphans", "When a domain goes away, its nodes pass to dom0"
                                + " instead of being deleted (a security risk, as in C)."),
                        valued("m", "master-domid", "<domid>", "The domain xenstored runs in"
                                + " (default 0)."),
                        valued("p", "priv-domid", "<domid>", "The privileged (toolstack) domain"
                                + " (default 0)."))),
                new Group(null, List.of(
                        valued("E", "entry-nb", "<nb>", "Nodes per domain (= -Q nodes=<nb>)."),
                        valued("S", "entry-size", "<size>", "Maximum size of a node"
                                + " (= -Q node-size=<size>)."),
                        valued("W", "watch-nb", "<nb>", "Watches per domain (= -Q watches=<nb>)."),
                        valued("t", "transaction", "<nb>", "Concurrent transactions per domain"
                                + " (= -Q transactions=<nb>)."),
                        valued("A", "perm-nb", "<nb>", "Permissions per node"
                                + " (= -Q node-permissions=<nb>)."),
                        valued("M", "path-max", "<chars>", "Maximum length of a node path"
                                + " (= -Q path-max=<chars>), at most " + Wire.REL_PATH_MAX + "."),
                        valued("Q", "quota", "<what>=<nb>", "Set the hard quota <what> (names"
                                + " below); repeatable."),
                        valued("q", "quota-soft", "memory=<nb>", "Set the soft memory quota: above"
                                + " it a warning is logged (default " + Quota.SOFT_MEMORY_DEFAULT + ")."),
                        valued("w", "timeout", "watch-event=<s>", "Seconds an undelivered watch"
                                + " event is kept for an unprivileged domain (default "
                                + WATCH_EVENT_TIMEOUT_DEFAULT_S + ")."))),
                new Group(null, List.of(
                        valued(null, "journal", "<dir>", "Keep the journal (the state, across a"
                                + " crash or restart) in <dir>; default: " + JOURNAL_DIR
                                + " beside the socket."),
                        flag(null, "no-journal", "Keep the state in memory only, as C xenstored"
                                + " does: a restart starts empty."),
                        valued(null, "metrics", "<host>:<port>", "Serve OpenMetrics text at"
                                + " http://<host>:<port>/metrics, bound to that address only (off by"
                                + " default)."))),
                new Group(null, List.of(
                        flag("U", "live-update", "Take over the state a live update's previous"
                                + " binary left in state_dump beside the socket (added by live"
                                + " update itself)."),
                        valued(null, "check-state", "<file>", "Check that <file>, a live update's"
                                + " state, can be taken over, and exit (live update runs this"
                                + " before it hands over)."))),
                // C's start scripts may pass these.
                new Group("Accepted for compatibility, no effect:", List.of(
                        flag("R", "no-recovery", "No effect: there is no on-disk database to"
                                + " recover."),
                        Option.builder("I").longOpt("internal-db").hasArg().optionalArg(true)
                                .argName("on|off").desc("No effect: the store is always in memory.")
                                .get(),
                        valued("e", "event", "<port>", "No effect: dom0's event channel (for a"
                                + " stub-domain xenstored)."),
                        valued(null, "trace-control", "+|-<switch>", "No effect: C's trace switches"
                                + " (obj io wrl acc tdb); -V and -T cover jxenstore's logging."))));
    }

    private static Option flag(String shortName, String longName, String description) {
        return Option.builder(shortName).longOpt(longName).desc(description).get();
    }

    private static Option valued(String shortName, String longName, String value, String description) {
        return Option.builder(shortName).longOpt(longName).hasArg().argName(value).desc(description).get();
    }

    /** Reads {@code args} as C's getopt_long would, applying each option in turn. */
    static XenstoredOptions parse(String... args) {
        Options options = new GetoptOptions();
        groups().forEach(group -> group.options().forEach(options::addOption));
        CommandLine line;
        try {
            // Abbreviated long options are refused, as they were before; values are taken
            // verbatim, quotes and all, as getopt takes them.
            line = DefaultParser.builder().setAllowPartialMatching(false)
                    .setStripLeadingAndTrailingQuotes(false).get()
                    .parse(options, splitClusters(options, args).toArray(String[]::new));
        } catch (MissingArgumentException e) {
            throw new UsageException("--" + e.getOption().getLongOpt() + ": missing "
                    + e.getOption().getArgName());
        } catch (UnrecognizedOptionException e) {
            throw new UsageException("unknown option " + e.getOption());
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        XenstoredOptions parsed = new XenstoredOptions();
        for (Option given : line.getOptions()) {
            parsed.apply(given.getLongOpt(), given.getValue());
        }
        if (!line.getArgList().isEmpty()) {
            throw new UsageException("unexpected argument \"" + line.getArgList().getFirst() + "\"");
        }
        return parsed;
    }

    /**
     * Options that have no long name after a single dash: getopt_long reads {@code -journal} as
     * -j -o ..., or as a value after an option that takes one, never as {@code --journal}. (The
     * parser asks with the token as typed, with its dashes, for a long name, and with one
     * character, without its dash, for a short one.)
     */
    private static final class GetoptOptions extends Options {
        @Override
        public boolean hasShortOption(String name) {
            return name.length() == 1 && super.hasShortOption(name);
        }

        @Override
        public boolean hasLongOption(String name) {
            return name.startsWith("--") && super.hasLongOption(name);
        }
    }

    /**
     * A cluster of short options as getopt reads it, an option apiece: {@code -DNQnodes=7} is -D,
     * -N and -Q with the value "nodes=7". The parser is given {@code -D -N -Q=nodes=7}: it would
     * take {@code -Qnodes=7} for a long option, and it takes a value after "-Q=" whole. (An "="
     * before an attached value is dropped, so that {@code -E=5} stays -E 5, as it was; getopt
     * would take "=5".) A letter that names no option is refused here. Left alone: whatever does
     * not start with a short option ({@code -5} may be a value), and everything after "--".
     */
    private static List<String> splitClusters(Options options, String[] args) {
        List<String> split = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                split.addAll(List.of(args).subList(i, args.length));
                break;
            }
            if (arg.startsWith("--") || arg.length() < 2 || arg.charAt(0) != '-'
                    || !options.hasShortOption(arg.substring(1, 2))) {
                split.add(arg);
                continue;
            }
            for (int c = 1; c < arg.length(); c++) {
                Option option = options.getOption(arg.substring(c, c + 1));
                if (option == null) {
                    throw new UsageException("unknown option \"" + arg.charAt(c) + "\" in " + arg);
                }
                String rest = arg.substring(c + 1);
                if (option.hasArg() && !rest.isEmpty()) {
                    split.add("-" + option.getOpt() + "=" + (rest.startsWith("=") ? rest.substring(1) : rest));
                    break;
                }
                split.add("-" + option.getOpt());
            }
        }
        return split;
    }

    private void apply(String option, String value) {
        switch (option) {
            case "help" -> help = true;
            case "no-domain-init" -> noDomainInit = true;
            case "pid-file" -> pidFile = Path.of(value);
            // Read by bin/jxenstored, which detaches the JVM unless it is given; Java itself
            // never forks.
            case "no-fork" -> { }
            case "output-pid" -> outputPid = true;
            case "trace-file" -> traceFile = Path.of(value);
            case "verbose" -> verbose = true;
            case "keep-orphans" -> keepOrphans = true;
            case "master-domid" -> masterDomid = domid(option, value);
            case "priv-domid" -> privDomid = domid(option, value);
            case "entry-nb" -> hardQuotas.put(Quota.NODES, count(option, value));
            case "entry-size" -> hardQuotas.put(Quota.NODE_SIZE, count(option, value));
            case "watch-nb" -> hardQuotas.put(Quota.WATCHES, count(option, value));
            case "transaction" -> hardQuotas.put(Quota.TRANSACTIONS, count(option, value));
            case "perm-nb" -> hardQuotas.put(Quota.NODE_PERMISSIONS, count(option, value));
            // C caps -M (but not -Q path-max) at XENSTORE_REL_PATH_MAX.
            case "path-max" -> hardQuotas.put(Quota.PATH_MAX, Math.min(Wire.REL_PATH_MAX, count(option, value)));
            case "quota" -> {
                QuotaAssignment q = parsed(option, () -> QuotaAssignment.hard(value));
                hardQuotas.put(q.quota(), q.value());
            }
            case "quota-soft" -> softMemory = parsed(option, () -> QuotaAssignment.soft(value)).value();
            case "timeout" -> {
                String what = parsed(option, () -> QuotaAssignment.name(value));
                if (!"watch-event".equals(what)) {
                    throw invalid(option, "unknown timeout \"" + what + "\" (only watch-event)");
                }
                watchEventTimeoutS = count(option, QuotaAssignment.value(value));
            }
            case "journal" -> journalDir = Path.of(value);
            case "no-journal" -> noJournal = true;
            case "metrics" -> metrics = parsed(option, () -> metricsAddress(value));
            case "live-update" -> liveUpdate = true;
            case "check-state" -> checkState = Path.of(value);
            case "no-recovery", "internal-db", "event", "trace-control" -> { }
            default -> throw new IllegalStateException("--" + option + " is defined but not applied");
        }
    }

    /** {@code HOST:PORT}, the host an address or a name ({@code [::1]:9100} for IPv6). */
    private static InetSocketAddress metricsAddress(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("expected <host>:<port>, got \"" + value + "\"");
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
            throw new IllegalArgumentException("port of \"" + value + "\" is not 0 to 65535");
        }
        return new InetSocketAddress(host, port);
    }

    /** Whether {@code -H}/{@code --help} was given: then nothing else is to be done. */
    boolean helpRequested() {
        return help;
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

    private static final int HELP_WIDTH = 80;
    private static final int DESCRIPTION_COLUMN = 29;

    /**
     * What {@code --help} prints: the options, the quotas' names and defaults, the environment.
     * Laid out here: commons-cli's HelpFormatter prints its options as one table, without groups.
     */
    static String help() {
        StringBuilder help = new StringBuilder("Usage: jxenstored [OPTIONS]\n")
                .append("The xenstore daemon, in Java: a drop-in replacement for C xenstored.\n");
        for (Group group : groups()) {
            help.append('\n');
            if (group.heading() != null) {
                help.append(group.heading()).append('\n');
            }
            group.options().forEach(option -> appendOption(help, option));
        }
        help.append("\nQuotas (-Q <what>=<nb>; 0 disables one; they bind unprivileged domains only):\n");
        for (Quota quota : Quota.values()) {
            help.append(String.format(Locale.ROOT, "  %-18s %8d  %s\n", quota.wireName(),
                    quota.defaultValue(), quota.description()));
        }
        return help.append("  (\"permissions\" is accepted for node-permissions.)\n")
                .append("\nEnvironment:\n")
                .append("  XENSTORED_PATH    the socket to serve, if set\n")
                .append("  XENSTORED_RUNDIR  else the socket is in this folder (default\n")
                .append("                    ").append(SocketLocation.DEFAULT_RUNDIR).append(")\n")
                .append("  NOTIFY_SOCKET     set by systemd: readiness is reported with systemd-notify\n")
                .toString();
    }

    /** {@code -Q, --quota=<what>=<nb>}, then its description, wrapped, in a column of its own. */
    private static void appendOption(StringBuilder help, Option option) {
        String names = "  " + (option.getOpt() == null ? "    " : "-" + option.getOpt() + ", ")
                + "--" + option.getLongOpt()
                + (!option.hasArg() ? "" : option.hasOptionalArg() ? "[=" + option.getArgName() + "]"
                        : "=" + option.getArgName());
        String indent = " ".repeat(DESCRIPTION_COLUMN);
        help.append(names.length() < DESCRIPTION_COLUMN ? (names + indent).substring(0, DESCRIPTION_COLUMN)
                : names + "\n" + indent);
        help.append(String.join("\n" + indent, wrap(option.getDescription(), HELP_WIDTH - DESCRIPTION_COLUMN)));
        help.append('\n');
    }

    /** {@code text}'s words in lines of at most {@code width} characters (a longer word alone). */
    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    // Paths are made absolute now, as C does, so that they do not depend on a later cwd.
    private static Path absolute(Path path) {
        return path == null ? null : path.toAbsolutePath();
    }

    /** An unsigned decimal up to INT_MAX, as C's get_optval_uint() takes. */
    private static int count(String option, String text) {
        return parsed(option, () -> QuotaAssignment.count(text));
    }

    /** What {@code parse} makes of an option's value; its complaint becomes a usage error. */
    private static <T> T parsed(String option, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw invalid(option, e.getMessage());
        }
    }

    private static int domid(String option, String text) {
        int domid = count(option, text);
        // DOMID_SELF is DOMID_FIRST_RESERVED: the ids from there on name no domain.
        if (domid >= Wire.DOMID_SELF) {
            throw invalid(option, "invalid domid " + domid + " (expected 0.." + (Wire.DOMID_SELF - 1) + ")");
        }
        return domid;
    }

    private static UsageException invalid(String option, String message) {
        return new UsageException("--" + option + ": " + message);
    }
}
