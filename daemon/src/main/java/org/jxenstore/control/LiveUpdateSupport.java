package org.jxenstore.control;

import java.io.IOException;
import java.nio.file.Path;

/** What CONTROL {@code live-update} needs of the server: the state, written for a new binary. */
public interface LiveUpdateSupport {
    /** The line a new binary's {@code --check-state} prints when it can take the state over. */
    String CONFIRMATION = "jxenstored: state readable";

    /** Where live update cannot work (a daemon without sockets to hand over, a test). */
    LiveUpdateSupport NONE = new LiveUpdateSupport() {
        @Override
        public String unavailable() {
            return "this daemon cannot hand its state over";
        }

        @Override
        public Path writeForCheck() throws IOException {
            throw new IOException(unavailable());
        }
    };

    /** Why a live update cannot be done in this process, or {@code null} if it can. */
    String unavailable();

    /** Writes the state as a new binary would take it over, for it to check; returns the file. */
    Path writeForCheck() throws IOException;
}
