package org.jxenstore.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.jxenstore.ring.XenstoreRing;
import org.jxenstore.ring.XenstoreRing.RingIndexException;

/**
 * A guest's ring page and event channel. A guest that breaks the ring protocol is told why in
 * the page's {@code error} word and is never read or written again; its domain stays introduced
 * until it dies, so that {@code @releaseDomain} still fires at the right moment (XSA-325).
 */
final class RingTransport implements Transport {
    private final int domid;
    private final XenstoreRing ring;
    private final Runnable kick;
    private boolean broken;

    /**
     * @param kick notifies the guest's event channel
     */
    int domid() {
        return domid;
    }

    RingTransport(int domid, XenstoreRing ring, Runnable kick) {
        this.domid = domid;
        this.ring = ring;
        this.kick = kick;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (broken) {
            return 0;
        }
        try {
            int n = ring.readRequests(dst);
            if (n > 0) {
                kick.run();
            }
            return n;
        } catch (RingIndexException e) {
            fail(XenstoreRing.ERROR_RINGIDX);
            throw new IOException("dom" + domid + ": " + e.getMessage());
        }
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        if (broken) {
            return 0;
        }
        long total = 0;
        try {
            for (ByteBuffer b : srcs) {
                total += ring.writeResponses(b);
                if (b.hasRemaining()) {
                    break;
                }
            }
        } catch (RingIndexException e) {
            fail(XenstoreRing.ERROR_RINGIDX);
            throw new IOException("dom" + domid + ": " + e.getMessage());
        }
        if (total > 0) {
            kick.run();
        }
        return total;
    }

    @Override
    public void protocolError() {
        fail(XenstoreRing.ERROR_PROTO);
    }

    private void fail(int code) {
        broken = true;
        ring.setError(code);
    }

    /** Whether the guest asked to reconnect (RECONNECTION feature). */
    boolean reconnectRequested() {
        return !broken && ring.connectionState() == XenstoreRing.RECONNECT;
    }

    /** Finishes a reconnection once the connection's state has been dropped. */
    void completeReconnect() {
        ring.resetAfterReconnect();
        kick.run();
    }

    @Override
    public void interest(boolean read, boolean write) {
        // Rings are driven by event-channel notifications, not by a selector.
    }

    @Override
    public String describe() {
        return "dom" + domid;
    }

    @Override
    public void close() {
        broken = true;
    }
}
