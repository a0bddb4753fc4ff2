package org.jxenstore.store;

import java.util.List;
import org.jxenstore.access.Perms;

/**
 * The tree as one request sees it: the live store, or a transaction's view of it. Request
 * semantics are written once against this interface.
 */
public interface NodeView {

    /** The node at an absolute path, or {@code null}. */
    Node get(String path);

    /**
     * Sets the value and permissions of the node at {@code path}, creating it (without
     * children) if it does not exist. Its parent must exist.
     */
    void put(String path, byte[] value, Perms perms);

    /**
     * Removes the node at {@code path} and everything below it.
     *
     * @return the removed nodes, the removal root first; empty if nothing was there
     */
    List<Removed> remove(String path);

    /** A removed node: where it was, the permissions it had, and the bytes of its value. */
    record Removed(String path, Perms perms, long generation, int valueLength) {
        /** What is kept of {@code node}, removed from {@code path}. */
        public static Removed of(String path, Node node) {
            return new Removed(path, node.perms(), node.generation(), node.valueLength());
        }
    }
}
