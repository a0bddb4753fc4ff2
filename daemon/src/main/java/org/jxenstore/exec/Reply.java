package org.jxenstore.exec;

import org.jxenstore.protocol.Payload;
import org.jxenstore.watch.Watch;

/**
 * The successful outcome of a request: the reply payload, and for WATCH the watch whose initial
 * event must be queued right after the reply.
 */
public record Reply(byte[] payload, Watch initialEvent) {
    public static final Reply OK = new Reply(Payload.OK, null);

    public static Reply of(byte[] payload) {
        return new Reply(payload, null);
    }

    public static Reply strings(String... s) {
        return new Reply(Payload.strings(s), null);
    }
}
