package org.jxenstore.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jxenstore.control.LiveUpdateSupport;
import org.jxenstore.journal.Recovery;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.log.Syslog;
import org.jxenstore.server.Config;
import org.jxenstore.server.Daemon;

/**
 * {@code jxenstored}: parses C xenstored's command line, starts the daemon and serves until
 * SIGTERM/SIGINT. Every failure is one line on standard error: a usage error exits with 2,
 * anything that stops the daemon from serving with 1.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.getenv(), System.out, System.err);
        // After serving, returning lets a shutdown hook that is still running finish; exit()
        // from here would block on it.
        if (status != OK) {
            System.exit(status);
        }
    }

    /** Parses {@code args}, then serves until the daemon stops; returns the exit status. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        XenstoredOptions options;
        try {
            options = XenstoredOptions.parse(args);
        } catch (XenstoredOptions.UsageException e) {
            err.println("jxenstored: " + oneLine(e.getMessage()) + " (see --help)");
            return USAGE;
        }
        if (options.helpRequested()) {
            out.print(XenstoredOptions.help());
            return OK;
        }
        Config config = options.toConfig(SocketLocation.from(env), List.of(args));
        if (options.checkState() != null) {
            return checkState(options.checkState(), config, out, err);
        }
        try {
            serve(config, options.outputPid(), env, out, daemonLog(env, err));
            return OK;
        } catch (IOException e) {
            err.println("jxenstored: " + describe(e));
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
    }

    /**
     * The daemon log on {@code err}, and on syslog too when the launcher detached the daemon (it
     * names the output file then): in the foreground, standard error is the terminal or, under
     * systemd, the journal already.
     */
    private static DaemonLog daemonLog(Map<String, String> env, PrintStream err) {
        String output = env.get(DetachedOutput.VARIABLE);
        if (output == null || output.isEmpty()) {
            return new DaemonLog(err);
        }
        try {
            return new DaemonLog(err, Syslog.open());
        } catch (IllegalStateException e) {
            DaemonLog log = new DaemonLog(err);
            log.warning("the daemon log goes to " + output + " only: " + e.getMessage());
            return log;
        }
    }

    /**
     * Reads a live update's state as the takeover would, into a state of its own, and says
     * whether it could be taken over: the previous binary hands over only after this passed.
     */
    private static int checkState(Path file, Config config, PrintStream out, PrintStream err) {
        try {
            Recovery.Recovered r = Recovery.liveUpdate(file, Daemon.state(config));
            out.println(LiveUpdateSupport.CONFIRMATION + ": " + file + " (" + r.connections().size()
                    + " connections)");
            return OK;
        } catch (IOException | RuntimeException e) {
            err.println("jxenstored: cannot take the state over: " + oneLine(String.valueOf(e.getMessage())));
            return FAILED;
        }
    }

    private static void serve(Config config, boolean outputPid, Map<String, String> env,
            PrintStream out, DaemonLog log) throws IOException, InterruptedException {
        // As C does: /run is a tmpfs, so the run directory is gone after every boot.
        Path runDir = config.socketPath().getParent();
        Files.createDirectories(runDir);
        RunLock runLock = RunLock.tryClaim(runDir);
        if (runLock == null) {
            log.info("already running on " + config.socketPath() + " (pid " + RunLock.holder(runDir)
                    + "); nothing to do");
            return;
        }
        PidFile claimed = null;
        Daemon daemon;
        try {
            if (config.pidFile() != null) {
                claimed = PidFile.claim(config.pidFile(), log);
                if (claimed == null) {
                    log.info(config.pidFile() + " is locked: another xenstored is running; nothing to do");
                    runLock.close();
                    return;
                }
            }
            daemon = Daemon.start(config, log);
        } catch (IOException e) {
            if (claimed != null) {
                claimed.close();
            }
            runLock.close();
            throw e;
        }
        PidFile pidFile = claimed;
        // Run by the shutdown hook on SIGTERM/SIGINT, and by this thread if the daemon stops on
        // its own: whichever comes first stops serving, removes the socket, then the pid file.
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                daemon.close();
                if (pidFile != null) {
                    pidFile.close();
                }
                try {
                    runLock.close();
                } catch (IOException e) {
                    log.warning("cannot release " + runDir.resolve(RunLock.NAME) + ": " + e.getMessage());
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "jxenstored-shutdown"));
        // The JVM's default for SIGHUP is to exit; logrotate's postrotate sends it to have the
        // logs reopened, as C xenstored does.
        Hangup.onHangup(() -> {
            DetachedOutput.reopen(env.get(DetachedOutput.VARIABLE), log);
            daemon.reopenLogs();
        }, log);
        try {
            long pid = ProcessHandle.current().pid();
            if (pidFile != null) {
                pidFile.write(pid);
            }
            if (outputPid) {
                out.println(pid);
                out.flush();
            }
            SystemdReadiness.announce(env, pid);
            daemon.awaitTermination();
        } finally {
            stop.run();
        }
    }

    /** The reason of a failure, without the exception's class name: "path: why". */
    private static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() == null) {
            // java.nio leaves the reason out for the commonest errno values.
            String why = switch (e) {
                case FileAlreadyExistsException _ -> "already exists";
                case NoSuchFileException _ -> "no such file or directory";
                case AccessDeniedException _ -> "permission denied";
                default -> e.getClass().getSimpleName();
            };
            return f.getFile() + ": " + why;
        }
        return oneLine(String.valueOf(e.getMessage()));
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
