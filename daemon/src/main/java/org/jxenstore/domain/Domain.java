package org.jxenstore.domain;

import java.util.function.IntConsumer;
import org.jxenstore.protocol.Wire;

/** What xenstored knows of one domain. Mutable: owned and changed by the event-loop thread only. */
public final class Domain {
    /** The features jxenstored implements, offered to every domain unless SET_FEATURE narrows them. */
    public static final int SUPPORTED_FEATURES =
            Wire.FEATURE_RECONNECTION | Wire.FEATURE_ERROR | Wire.FEATURE_WATCHDEPTH | Wire.FEATURE_DOMID_ANY;

    final int domid;
    long generation;
    boolean introduced;
    int features = SUPPORTED_FEATURES;
    boolean shutdownReported;
    int target = -1;
    /** The event channel port the domain gave in INTRODUCE (its end), 0 if none. */
    int port;
    private final IntConsumer changed;

    Domain(int domid, long generation, IntConsumer changed) {
        this.domid = domid;
        this.generation = generation;
        this.changed = changed;
    }

    public int domid() {
        return domid;
    }

    public boolean introduced() {
        return introduced;
    }

    public int features() {
        return features;
    }

    public void setFeatures(int f) {
        features = f;
        changed.accept(domid);
    }

    /** The domain whose rights it holds after SET_TARGET, -1 if none. */
    public int target() {
        return target;
    }

    public void setTarget(int t) {
        target = t;
        changed.accept(domid);
    }

    /** The event channel port it gave in INTRODUCE, 0 if none (dom0's comes from the kernel). */
    public int port() {
        return port;
    }

    /** Marks the domain introduced on {@code port} (its ring is the transport's business). */
    public void introduce(int port) {
        this.introduced = true;
        this.port = port;
        this.shutdownReported = false;
        changed.accept(domid);
    }

    /** RESUME: a later shutdown fires {@code @releaseDomain} again. */
    public void resume() {
        shutdownReported = false;
    }
}
