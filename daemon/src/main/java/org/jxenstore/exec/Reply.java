package org.jxenstore.exec;

import org.jxenstore.protocol.Payload;
import org.jxenstore.watch.Watch;

/**
 * The successful outcome of a request: the reply payload, and for WATCH the watch whose initial
 * event must be queued right after the reply.
 *
 * @param handover for CONTROL {@code live-update -s}: the reply is the new binary's to send,
 *                 once the current one has handed its state over to it; {@code null} otherwise
 */
public record Reply(byte[] payload, Watch initialEvent, Handover handover) {
    public static final Reply OK = new Reply(Payload.OK, null);

    /** A live update to start once this request is done: exec {@code binary}. */
    public record Handover(String binary, String commandLine) {
    }

    public Reply(byte[] payload, Watch initialEvent) {
        this(payload, initialEvent, null);
    }

    public static Reply of(byte[] payload) {
        return new Reply(payload, null);
    }

    public static Reply strings(String... s) {
        return new Reply(Payload.strings(s), null);
    }
}
