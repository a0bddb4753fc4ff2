package org.jxenstore.migration;

import java.io.IOException;

/** A migration stream that is not complete and well formed; the message names the offset and the fault. */
public final class MigrationFormatException extends IOException {
    public MigrationFormatException(String message) {
        super(message);
    }
}
