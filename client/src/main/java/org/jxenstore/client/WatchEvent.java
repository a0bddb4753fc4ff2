package org.jxenstore.client;

import java.util.Objects;

/**
 * One {@code WATCH_EVENT} from the daemon: a node at or below a watched path changed (or the
 * watch was just registered, which always fires once).
 *
 * <p>Events are hints, not a change log: the daemon may send spurious events, and the client
 * drops events when its queue overflows, so a receiver re-reads whatever state it cares about.
 *
 * @param path  the path that changed, as the daemon reported it (relative if the watch was)
 * @param token the token given when the watch was registered
 */
public record WatchEvent(String path, String token) {

    /**
     * Creates an event.
     *
     * @param path  the path that changed
     * @param token the watch's token
     */
    public WatchEvent {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(token, "token");
    }
}
