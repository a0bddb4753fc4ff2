package org.jxenstore.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jxenstore.exec.Reply;
import org.jxenstore.exec.Session;
import org.jxenstore.exec.Sessions;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * CONTROL {@code live-update}, as {@code xenstore-control live-update} drives it: {@code -f
 * <file>} names the new binary, {@code -c <cmdline>} replaces its command line, {@code -s [-t
 * <seconds>] [-F]} starts the update, {@code -a} aborts. The session belongs to the connection
 * that began it, and its answers are C's.
 *
 * <p>Before this daemon gives up, the new binary proves it can read the state: it is run with
 * {@code --check-state} on a dump of it and must confirm. Meanwhile {@code -s} answers
 * {@code BUSY}, and xenstore-control asks again each second, up to its timeout. Once confirmed,
 * {@code -s} answers with a {@link Reply.Handover}: the server writes the state with this reply
 * in it and execs the binary, which sends the reply. There is no quiet moment to wait for: open
 * transactions go over with everything else, so {@code -F} changes nothing.
 */
final class LiveUpdateControl {
    private final LiveUpdateSupport support;
    private final Sessions sessions;
    private final DaemonLog log;
    private Session owner;
    private String binary;
    private String commandLine;
    private Process check;
    private Path dump;
    private Path checkOutput;
    private long checkStarted;

    LiveUpdateControl(LiveUpdateSupport support, Sessions sessions, DaemonLog log) {
        this.support = support;
        this.sessions = sessions;
        this.log = log;
    }

    Reply run(Session s, List<String> args) throws XsException {
        if (args.isEmpty()) {
            throw new XsException(XsError.EINVAL);
        }
        if (owner != null && !sessions.all().contains(owner)) {
            end();
        }
        String option = args.getFirst();
        switch (option) {
            case "-a" -> {
                requireCount(args, 1);
                if (owner == null) {
                    return text("No live-update session active.");
                }
                end("aborted");
                return text("OK");
            }
            case "-c" -> {
                requireCount(args, 2);
                if (owner != s) {
                    return text("Not in live-update session.");
                }
                commandLine = args.get(1);
                return text("OK");
            }
            case "-f" -> {
                requireCount(args, 2);
                return text(begin(s, args.get(1)));
            }
            case "-s" -> {
                long timeoutS = 0;
                for (int i = 1; i < args.size(); i++) {
                    if (args.get(i).equals("-t") && i + 1 < args.size()) {
                        timeoutS = parseTimeout(args.get(++i));
                    } else if (!args.get(i).equals("-F")) {
                        throw new XsException(XsError.EINVAL);
                    }
                }
                if (owner != s) {
                    return text("Not in live-update session.");
                }
                return start(timeoutS);
            }
            default -> throw new XsException(XsError.EINVAL);
        }
    }

    private String begin(Session s, String file) {
        log.info("live-update: binary " + file);
        Path path = Path.of(file);
        if (!Files.exists(path)) {
            return "File not accessible.";
        }
        if (!anyExecuteBit(path)) {
            return "File not executable.";
        }
        if (owner != null) {
            return "live-update session already active.";
        }
        String why = support.unavailable();
        if (why != null) {
            return "Live update is not possible: " + why + ".";
        }
        owner = s;
        binary = file;
        commandLine = null;
        return "OK";
    }

    private Reply start(long timeoutS) {
        if (check == null) {
            try {
                dump = support.writeForCheck();
                checkOutput = dump.resolveSibling(dump.getFileName() + ".out");
                check = new ProcessBuilder(binary, "--check-state", dump.toString()).redirectErrorStream(true)
                        .redirectOutput(checkOutput.toFile()).start();
                checkStarted = System.nanoTime();
                log.info("live-update: " + binary + " checks that it can take the state over");
            } catch (IOException | RuntimeException e) {
                return text(end("Error: " + binary + " cannot check the state: " + e.getMessage()));
            }
        }
        if (check.isAlive()) {
            long waitedS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - checkStarted);
            if (timeoutS > 0 && waitedS >= timeoutS) {
                return text(end("Timeout reached: " + binary + " did not confirm within " + timeoutS
                        + " s that it can take the state over."));
            }
            return text("BUSY");
        }
        String output = readOutput();
        int status = check.exitValue();
        if (status != 0 || !output.lines().anyMatch(l -> l.startsWith(LiveUpdateSupport.CONFIRMATION))) {
            String first = output.lines().filter(l -> !l.isBlank()).findFirst().orElse("no output");
            return text(end("Refused: " + binary + " cannot take the state over (exit " + status + "): " + first));
        }
        Reply.Handover handover = new Reply.Handover(binary, commandLine);
        end(null);
        return new Reply(Reply.strings("OK").payload(), null, handover);
    }

    private String readOutput() {
        try {
            return Files.readString(checkOutput, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Ends the session; returns {@code why}, which is also logged unless null. */
    private String end(String why) {
        if (why != null) {
            log.info("live-update: " + why);
        }
        end();
        return why;
    }

    private void end() {
        if (check != null) {
            check.destroyForcibly();
            try {
                Files.deleteIfExists(checkOutput);
                Files.deleteIfExists(dump);
            } catch (IOException ignored) {
                // a stale check file is harmless
            }
        }
        owner = null;
        binary = null;
        commandLine = null;
        check = null;
    }

    /** C looks at the mode bits (root may execute anything that has one of them). */
    private static boolean anyExecuteBit(Path path) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
            return mode.contains(PosixFilePermission.OWNER_EXECUTE) || mode.contains(PosixFilePermission.GROUP_EXECUTE)
                    || mode.contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** As C's atoi: the leading digits, 0 if there are none. */
    private static long parseTimeout(String s) {
        int end = 0;
        while (end < s.length() && end < 9 && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Long.parseLong(s.substring(0, end));
    }

    private static void requireCount(List<String> args, int n) throws XsException {
        if (args.size() != n) {
            throw new XsException(XsError.EINVAL);
        }
    }

    private static Reply text(String s) {
        return Reply.strings(s);
    }
}
