package org.jxenstore.watch;

import java.util.Comparator;
import org.jxenstore.store.NodePath;

/**
 * A registered watch.
 *
 * @param sink      the connection it belongs to
 * @param path      the canonical watched path, or a special name such as {@code @releaseDomain}
 * @param token     the client's token, echoed in every event
 * @param relative  registered with a relative path: events report paths relative to the home
 * @param depth     how many levels below {@code path} fire it, or -1 for all
 * @param sequence  when it was registered, counted over all connections: a connection's watches
 *                  fire in the order it registered them
 */
public record Watch(EventSink sink, String path, String token, boolean relative, int depth, long sequence) {
    public static final int UNLIMITED = -1;

    /**
     * C's order of the events one change causes: connection by connection, in the order they
     * connected, and within a connection in the order its watches were registered.
     */
    public static final Comparator<Watch> FIRING_ORDER =
            Comparator.<Watch>comparingLong(w -> w.sink().connectionOrder()).thenComparingLong(Watch::sequence);

    /** The path to report for a change at {@code changed}. */
    public String eventPath(String changed) {
        return relative ? NodePath.relativize(changed, sink.caller().domid()) : changed;
    }

    /** Whether a change {@code levels} components below the watched path is in range. */
    public boolean reaches(int levels) {
        return depth == UNLIMITED || levels <= depth;
    }
}
