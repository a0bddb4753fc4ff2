package org.jxenstore.protocol;

/** A request failed with one of the protocol's error names. */
public class XsException extends Exception {
    private final XsError error;

    public XsException(XsError error) {
        this(error, error.name());
    }

    public XsException(XsError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    /** The error name that is (or was) sent on the wire. */
    public XsError error() {
        return error;
    }
}
