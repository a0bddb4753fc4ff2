package org.jxenstore.client;

import org.jxenstore.protocol.Permission;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * The requests on nodes, which run either directly on the store ({@link XsClient}) or inside a
 * transaction ({@link Transaction}), so that code can be written once for both.
 *
 * <p>Paths are absolute ({@code /local/domain/0/name}) or relative to the connection's home
 * directory; they travel as ISO-8859-1, and the daemon accepts only ASCII letters, digits and
 * {@code -/_@}. Every method throws {@link XsException} when the daemon refuses the request and
 * {@link XsConnectionException} when the connection fails.
 */
public interface NodeOperations {

    /**
     * Reads a node's value ({@code READ}).
     *
     * @param path the node
     * @return the raw value bytes (empty for a node that only has children)
     * @throws XsException e.g. {@code ENOENT} if the node does not exist
     */
    byte[] read(String path) throws XsException;

    /**
     * Writes a node's value, creating the node and any missing parents ({@code WRITE}).
     *
     * @param path  the node
     * @param value the raw value bytes
     * @throws XsException e.g. {@code E2BIG} if path and value exceed one 4096-byte payload
     */
    void write(String path, byte[] value) throws XsException;

    /**
     * Creates a node with an empty value, and any missing parents; does nothing if the node
     * exists ({@code MKDIR}).
     *
     * @param path the node
     * @throws XsException if the daemon refuses
     */
    void mkdir(String path) throws XsException;

    /**
     * Removes a node and everything below it; succeeds if the node is absent but its parent
     * exists ({@code RM}).
     *
     * @param path the node
     * @throws XsException e.g. {@code ENOENT} if the parent does not exist either
     */
    void rm(String path) throws XsException;

    /**
     * Lists a node's children. Uses {@code DIRECTORY}; when the daemon answers {@code E2BIG}
     * because the list exceeds one payload, pages through it with {@code DIRECTORY_PART},
     * starting over whenever the node's generation changes between pages.
     *
     * @param path the node
     * @return the child names (not full paths), in the daemon's order
     * @throws XsException e.g. {@code ENOENT}; {@code E2BIG} if the list is too long and the
     *                     daemon lacks {@code DIRECTORY_PART}; {@code EAGAIN} if the node kept
     *                     changing while being paged through
     */
    List<String> directory(String path) throws XsException;

    /**
     * Reads a node's access control list ({@code GET_PERMS}).
     *
     * @param path the node, or a special path such as {@code @releaseDomain}
     * @return the entries; the first names the owner and the default access
     * @throws XsException e.g. {@code ENOENT} if the node does not exist
     */
    List<Permission> getPerms(String path) throws XsException;

    /**
     * Replaces a node's access control list ({@code SET_PERMS}).
     *
     * @param path        the node, or a special path such as {@code @releaseDomain}
     * @param permissions the entries; the first names the owner and the default access
     * @throws XsException e.g. {@code ENOENT} if the node does not exist
     */
    void setPerms(String path, List<Permission> permissions) throws XsException;

    /**
     * Reads a node's value as text.
     *
     * @param path the node
     * @return the value decoded as UTF-8 (what toolstacks write); malformed bytes become U+FFFD
     * @throws XsException e.g. {@code ENOENT} if the node does not exist
     */
    default String readString(String path) throws XsException {
        return new String(read(path), StandardCharsets.UTF_8);
    }

    /**
     * Writes a node's value as text, creating the node and any missing parents.
     *
     * @param path  the node
     * @param value the value, encoded as UTF-8 without a terminating NUL
     * @throws XsException if the daemon refuses
     */
    default void write(String path, String value) throws XsException {
        write(path, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a node's value if the node exists.
     *
     * @param path the node
     * @return the raw value, or empty if the daemon answers {@code ENOENT}
     * @throws XsException for any other refusal
     */
    default Optional<byte[]> readIfPresent(String path) throws XsException {
        try {
            return Optional.of(read(path));
        } catch (XsException e) {
            if (e.error() == XsError.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Whether a node exists.
     *
     * @param path the node
     * @return false if reading it fails with {@code ENOENT}, true if it succeeds
     * @throws XsException for any other refusal
     */
    default boolean exists(String path) throws XsException {
        return readIfPresent(path).isPresent();
    }
}
