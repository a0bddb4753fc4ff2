package org.jxenstore.it.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jxenstore.it.DaemonFixture;

/**
 * The xenstore server under test. By default a jxenstored started in this JVM
 * ({@link DaemonFixture#start()}). If the system property {@code jxs.it.socket} is set, the server
 * already listening on that socket is used instead (and left running), e.g. the C reference:
 * {@code -Djxs.it.socket=/tmp/xs-c/socket}.
 *
 * <p>{@link #kind()} tells what the server is: {@code jxenstored} for the in-process fixture; for
 * an external socket the system property {@code jxs.it.target-kind} if set, else the {@code kind}
 * file that start-peer.sh writes next to the socket ({@code c}, {@code ocaml}, {@code exec}), else
 * {@code external}. A target of kind {@code c} or {@code ocaml} is a reference peer.
 */
public final class TargetDaemon implements AutoCloseable {
    public static final String SOCKET_PROPERTY = "jxs.it.socket";
    public static final String KIND_PROPERTY = "jxs.it.target-kind";

    private final Path socket;
    private final String kind;
    private final DaemonFixture fixture;

    private TargetDaemon(Path socket, String kind, DaemonFixture fixture) {
        this.socket = socket;
        this.kind = kind;
        this.fixture = fixture;
    }

    /** Opens the target: the external socket if configured, else a fresh in-process jxenstored. */
    public static TargetDaemon open() throws IOException {
        Path external = externalSocket();
        if (external != null) {
            if (!Files.exists(external)) {
                throw new AssertionError("-D" + SOCKET_PROPERTY + "=" + external + ": no such socket");
            }
            return new TargetDaemon(external, configuredKind(), null);
        }
        DaemonFixture f = DaemonFixture.start();
        return new TargetDaemon(f.socket(), "jxenstored", f);
    }

    static Path externalSocket() {
        String s = System.getProperty(SOCKET_PROPERTY);
        return s == null || s.isBlank() ? null : Path.of(s).toAbsolutePath().normalize();
    }

    /** The kind of the configured target, without opening it. */
    static String configuredKind() {
        Path external = externalSocket();
        if (external == null) {
            return "jxenstored";
        }
        String k = System.getProperty(KIND_PROPERTY);
        if (k != null && !k.isBlank()) {
            return k.trim();
        }
        Path kindFile = external.resolveSibling("kind");
        try {
            if (Files.isRegularFile(kindFile)) {
                String fromFile = Files.readString(kindFile).trim();
                if (!fromFile.isEmpty()) {
                    return fromFile;
                }
            }
        } catch (IOException e) {
            // unreadable: treat as unknown
        }
        return "external";
    }

    /** Whether the configured target is one of the reference daemons (C or OCaml xenstored). */
    static boolean configuredIsReference() {
        String k = configuredKind();
        return k.equals("c") || k.equals("ocaml");
    }

    public Path socket() {
        return socket;
    }

    public String kind() {
        return kind;
    }

    public boolean isReference() {
        return kind.equals("c") || kind.equals("ocaml");
    }

    @Override
    public String toString() {
        return kind + "@" + socket;
    }

    /** Stops the in-process daemon; an external one is left running. */
    @Override
    public void close() {
        if (fixture != null) {
            fixture.close();
        }
    }
}
