package org.jxenstore.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jxenstore.domain.DomainRegistry;
import org.jxenstore.exec.ControlHandler;
import org.jxenstore.exec.Reply;
import org.jxenstore.exec.Session;
import org.jxenstore.exec.Sessions;
import org.jxenstore.log.AccessLog;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.quota.QuotaCommands;
import org.jxenstore.protocol.Wire;
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
            live-update\t[-c <cmdline>] [-F] [-t <timeout>] <file>
            """;

    private final Store store;
    private final WatchIndex watches;
    private final QuotaCommands quotas;
    private final DomainRegistry domains;
    private final AccessLog trace;
    private final Sessions sessions;
    private final LiveUpdateControl liveUpdate;

    public ControlCommands(Store store, WatchIndex watches, QuotaCommands quotas, DomainRegistry domains,
            AccessLog trace, Sessions sessions, LiveUpdateSupport liveUpdate, DaemonLog log) {
        this.liveUpdate = new LiveUpdateControl(liveUpdate, sessions, log);
        this.store = store;
        this.watches = watches;
        this.quotas = quotas;
        this.domains = domains;
        this.trace = trace;
        this.sessions = sessions;
    }

    @Override
    public Reply run(Session s, List<String> args) throws XsException {
        List<String> rest = args.subList(1, args.size());
        if (args.getFirst().equals("live-update")) {
            return liveUpdate.run(s, rest);
        }
        return Reply.strings(fitted(text(args.getFirst(), rest)));
    }

    /** A reply text cut to one message. */
    private static String fitted(String text) {
        int room = Wire.PAYLOAD_MAX - 1;
        return text.length() <= room ? text : text.substring(0, room - 4) + "...\n";
    }

    private String text(String command, List<String> rest) throws XsException {
        return switch (command) {
            case "help" -> HELP;
            case "check" -> new StoreCheck(store, watches, sessions.all()).run();
            case "log" -> log(rest);
            case "logfile" -> logfile(rest);
            case "memreport" -> memreport(rest);
            case "print" -> {
                trace.print("print: " + String.join(" ", rest));
                yield "OK";
            }
            case "quota" -> quotas.control(rest);
            case "quota-soft" -> quotas.controlSoft(rest);
            default -> throw new XsException(XsError.EINVAL);
        };
    }

    private String log(List<String> a) throws XsException {
        if (a.size() != 1 || !(a.getFirst().equals("on") || a.getFirst().equals("off"))) {
            throw new XsException(XsError.EINVAL);
        }
        trace.setEnabled(a.getFirst().equals("on"));
        return "OK";
    }

    private String logfile(List<String> a) throws XsException {
        if (a.size() != 1) {
            throw new XsException(XsError.EINVAL);
        }
        try {
            trace.openFile(Path.of(a.getFirst()));
        } catch (IOException | RuntimeException e) {
            throw new XsException(XsError.EIO);
        }
        return "OK";
    }

    private String memreport(List<String> a) throws XsException {
        String report = new MemoryReport(store, watches, domains, sessions).render();
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
}
