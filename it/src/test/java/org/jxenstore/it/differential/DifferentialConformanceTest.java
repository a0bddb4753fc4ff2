package org.jxenstore.it.differential;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.jxenstore.it.guest.GuestDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jxenstored answers as C xenstored 4.17 does under random request sequences: a fixed set of
 * seeds, each a run of {@value #STEPS} requests over 2 to 6 socket connections, sent in lockstep
 * to Debian's C daemon and to jxenstored, both under the fake-hypervisor shim. Replies, each
 * connection's watch events in order, and the tree must be the same; the first difference fails
 * the seed with the requests that led to it. {@code scripts/difftest} runs the same with new
 * seeds for as long as it is told.
 */
class DifferentialConformanceTest {
    static final int STEPS = 2000;
    /** Numbers the folders of replays, so that no two meet each other's nodes. */
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();

    private static GuestDaemon reference;
    private static GuestDaemon tested;

    @BeforeAll
    static void startDaemons() throws Exception {
        reference = GuestDaemon.start(GuestDaemon.Kind.C, List.of());
        tested = GuestDaemon.start(GuestDaemon.Kind.JXENSTORED, List.of());
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (tested != null) {
            tested.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    /** Seeds 1 to 20, or those of {@code -Djxs.diff.seeds=a,b,...} (a replay). */
    static List<Long> seeds() {
        String given = System.getProperty("jxs.diff.seeds", "").strip();
        if (!given.isEmpty()) {
            return Arrays.stream(given.split(",")).map(String::strip).map(Long::parseLong).toList();
        }
        return LongStream.rangeClosed(1, 20).boxed().toList();
    }

    /**
     * Every recorded regression (a shrunk divergence, test resources in differential/regressions),
     * or the file of {@code -Djxs.diff.replay=FILE}.
     */
    static List<Path> replays() throws Exception {
        String given = System.getProperty("jxs.diff.replay", "").strip();
        if (!given.isEmpty()) {
            return List.of(Path.of(given));
        }
        Path dir = Path.of(DifferentialConformanceTest.class.getResource("/differential/regressions").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".replay")).sorted().toList();
        }
    }

    /**
     * The seed chooses the clients: 2 to 6 in all, of which up to two are guests (domains 3 and
     * 5, which the generated permission entries name) and the rest socket connections.
     */
    record Clients(int sockets, List<Integer> guests) {
        static Clients of(long seed) {
            int clients = 2 + (int) Long.remainderUnsigned(seed, 5);
            int guests = (int) Math.min(clients - 1, Long.remainderUnsigned(Long.divideUnsigned(seed, 5), 3));
            return new Clients(clients - guests, List.of(3, 5).subList(0, guests));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void sameAnswersAsC(long seed) throws Exception {
        Lockstep run = lockstep(seed, Lockstep.prefixOf(seed));
        try (run) {
            run.run(Integer.getInteger("jxs.diff.steps", STEPS));
        } catch (Lockstep.Divergence d) {
            fail(d.getMessage() + shrunk(seed, d.kind(), run.played()));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\n" + daemonsReport(), e);
        }
    }

    /** A recorded sequence still gets C's answers: each divergence found once stays fixed. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("replays")
    void replaysGetTheAnswersOfC(Path file) throws Exception {
        ReplayFile replay = ReplayFile.read(file);
        try (Lockstep run = lockstep(replay.seed(), Lockstep.prefixOf(replay.seed()) + "r" + ATTEMPTS.incrementAndGet())) {
            run.replay(replay.steps(), replay.prefix());
        } catch (Lockstep.Divergence d) {
            fail(file.getFileName() + ":\n" + d.getMessage());
        }
    }

    /** Whether each daemon still runs, and the log of one that does not. */
    private static String daemonsReport() {
        StringBuilder sb = new StringBuilder();
        for (GuestDaemon d : List.of(reference, tested)) {
            String log = d.alive() ? "" : d.logTail();
            sb.append(d).append(d.alive() ? ": running\n" : ": DIED\n--- its log (end) ---\n"
                    + log.substring(Math.max(0, log.length() - 1500)) + "\n");
        }
        return sb.toString();
    }

    private static Lockstep lockstep(long seed, String prefix) throws Exception {
        Clients clients = Clients.of(seed);
        Lockstep.GuestTools tools = new Lockstep.GuestTools(
                Path.of(DifferentialConformanceTest.class.getResource("/differential/guest_bridge.py").toURI()),
                reference.tools().shared());
        return new Lockstep(seed, prefix, clients.sockets(), clients.guests(),
                new Lockstep.Daemon("C xenstored", reference.socket(), reference.dir()),
                new Lockstep.Daemon("jxenstored", tested.socket(), tested.dir()), tools);
    }

    /**
     * With {@code -Djxs.diff.shrink=MINUTES} (scripts/difftest sets it), the requests that led to
     * a divergence are cut down to a short sequence that still diverges in the same way (the same
     * {@link Lockstep.Divergence#kind()}, so that it does not wander off to another difference),
     * for at most that long,
     * and written where {@link #replaysGetTheAnswersOfC} can replay it: the text to add to the
     * report. Without it, nothing.
     */
    private static String shrunk(long seed, String kind, List<Lockstep.Played> played) throws Exception {
        int minutes = Integer.getInteger("jxs.diff.shrink", 0);
        if (minutes <= 0) {
            return "";
        }
        String prefix = Lockstep.prefixOf(seed);
        List<Lockstep.Played> shortest = Shrinker.shrink(played, candidate -> {
            try (Lockstep trial = lockstep(seed, prefix + "s" + ATTEMPTS.incrementAndGet())) {
                trial.replay(candidate, prefix);
                return false;
            } catch (Lockstep.Divergence d) {
                return d.kind().equals(kind);
            } catch (Exception e) {
                Path file = Path.of("target", "difftest", "seed-" + Long.toUnsignedString(seed) + "-died.replay");
                new ReplayFile(seed, prefix, candidate).write(file.toAbsolutePath(), "a daemon stopped answering");
                throw new IOException("shrinking: " + e.getMessage() + "\n" + daemonsReport() + "the requests: " + file,
                        e);
            }
        }, Instant.now().plus(Duration.ofMinutes(minutes)));
        Path file = Path.of("target", "difftest", "seed-" + Long.toUnsignedString(seed) + ".replay").toAbsolutePath();
        String replay = "-Dtest=DifferentialConformanceTest#replaysGetTheAnswersOfC -Djxs.diff.replay=" + file;
        new ReplayFile(seed, prefix, shortest).write(file,
                "seed " + Long.toUnsignedString(seed) + ": " + played.size() + " requests shrunk to " + shortest.size()
                        + "\nreplay: ./mvnw -B verify -pl it " + replay);
        StringBuilder sb = new StringBuilder("--- shrunk to ").append(shortest.size()).append(" requests (")
                .append(file).append("; replay with ").append(replay).append("):\n");
        for (Lockstep.Played p : shortest) {
            sb.append("  c").append(p.client()).append(' ').append(p.request().text()).append('\n');
        }
        return sb.toString();
    }
}
