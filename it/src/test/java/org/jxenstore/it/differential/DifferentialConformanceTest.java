package org.jxenstore.it.differential;

import static org.junit.jupiter.api.Assertions.fail;

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

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void sameAnswersAsC(long seed) throws Exception {
        int connections = 2 + (int) (seed % 5);
        try (Lockstep run = new Lockstep(seed, connections, reference.socket(), tested.socket())) {
            run.run(Integer.getInteger("jxs.diff.steps", STEPS));
        } catch (Lockstep.Divergence d) {
            fail(d.getMessage());
        }
    }
}
