package org.jxenstore.client;

/**
 * Communication with the daemon failed: the socket could not be opened, an I/O error occurred,
 * the connection was closed (by either side), or the daemon sent something that breaks the
 * protocol. Unlike {@link org.jxenstore.protocol.XsException}, which reports a request the daemon
 * refused, this means the client can no longer trust the reply it was waiting for.
 */
public class XsConnectionException extends RuntimeException {

    /**
     * Creates an exception with a message describing what failed.
     *
     * @param message what failed, including the socket path or request where known
     */
    public XsConnectionException(String message) {
        super(message);
    }

    /**
     * Creates an exception caused by another failure.
     *
     * @param message what failed, including the socket path or request where known
     * @param cause   the underlying failure
     */
    public XsConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
