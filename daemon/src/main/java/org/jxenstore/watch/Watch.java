package org.jxenstore.watch;

import org.jxenstore.store.NodePath;

/**
 * A registered watch.
 *
 * @param sink      the connection it belongs to
 * @param path      the canonical watched path, or a special name such as {@code @releaseDomain}
 * @param token     the client's token, echoed in every event
 * @param relative  registered with a relative path: events report paths relative to the home
 * @param depth     how many levels below {@code path} fire it, or -1 for all
 */
public record Watch(EventSink sink, String path, String token, boolean relative, int depth) {
    public static final int UNLIMITED = -1;

    /** The path to report for a change at {@code changed}. */
    public String eventPath(String changed) {
        return relative ? NodePath.relativize(changed, sink.caller().domid()) : changed;
    }

    /** Whether a change {@code levels} components below the watched path is in range. */
    public boolean reaches(int levels) {
        return depth == UNLIMITED || levels <= depth;
    }
}
