package org.jxenstore.it.differential;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a sequence of requests that makes the daemons diverge down to a short one that still
 * does: it tries leaving out each run of requests in turn, halves the length of the runs after
 * every pass, and stops after a pass of single requests in which none could go, or at the
 * deadline with the shortest sequence so far.
 */
final class Shrinker {
    /** Replays a candidate sequence against fresh connections and says whether it diverges. */
    interface Trial {
        boolean diverges(List<Lockstep.Played> steps) throws IOException;
    }

    private Shrinker() {
    }

    static List<Lockstep.Played> shrink(List<Lockstep.Played> failing, Trial trial, Instant deadline)
            throws IOException {
        List<Lockstep.Played> current = failing;
        int chunk = Math.max(1, current.size() / 2);
        while (Instant.now().isBefore(deadline)) {
            boolean removed = false;
            int start = 0;
            while (start < current.size() && Instant.now().isBefore(deadline)) {
                List<Lockstep.Played> candidate = without(current, start, chunk);
                if (!candidate.isEmpty() && trial.diverges(candidate)) {
                    current = candidate;
                    removed = true;
                } else {
                    start += chunk;
                }
            }
            if (chunk == 1 && !removed) {
                break;
            }
            chunk = Math.max(1, chunk / 2);
        }
        return current;
    }

    private static List<Lockstep.Played> without(List<Lockstep.Played> steps, int start, int count) {
        List<Lockstep.Played> rest = new ArrayList<>(steps.subList(0, start));
        rest.addAll(steps.subList(Math.min(steps.size(), start + count), steps.size()));
        return rest;
    }
}
