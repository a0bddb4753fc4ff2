package org.jxenstore.domain;

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

    Domain(int domid, long generation) {
        this.domid = domid;
        this.generation = generation;
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
    }

    public void setTarget(int t) {
        target = t;
    }

    /** Marks the domain introduced (its ring is the transport's business). */
    public void introduce() {
        this.introduced = true;
        this.shutdownReported = false;
    }

    /** RESUME: a later shutdown fires {@code @releaseDomain} again. */
    public void resume() {
        shutdownReported = false;
    }
}
