package org.jxenstore.it.differential;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
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
     * The seed chooses the clients: 2 to 6 in all, of which up to two are guests (domains 3 and
     * 5, which the generated permission entries name) and the rest socket connections.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void sameAnswersAsC(long seed) throws Exception {
        int clients = 2 + (int) (seed % 5);
        List<Integer> guests = List.of(3, 5).subList(0, (int) Math.min(clients - 1, (seed / 5) % 3));
        Lockstep.GuestTools tools = new Lockstep.GuestTools(
                Path.of(DifferentialConformanceTest.class.getResource("/differential/guest_bridge.py").toURI()),
                reference.tools().shared());
        try (Lockstep run = new Lockstep(seed, clients - guests.size(), guests,
                new Lockstep.Daemon("C xenstored", reference.socket(), reference.dir()),
                new Lockstep.Daemon("jxenstored", tested.socket(), tested.dir()), tools)) {
            run.run(Integer.getInteger("jxs.diff.steps", STEPS));
        } catch (Lockstep.Divergence d) {
            fail(d.getMessage());
        }
    }
}
