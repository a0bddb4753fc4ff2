package org.jxenstore.store;

import org.jxenstore.access.Perms;

/**
 * One immutable node of the store. A node's name is the key under which its parent holds it.
 *
 * @param value       raw bytes, possibly empty, possibly containing NULs
 * @param perms       owner, default access and ACL entries
 * @param children    the child nodes
 * @param generation  the global generation count when this node (its value, permissions or
 *                    child set) last changed; DIRECTORY_PART and transactions compare it
 */
public record Node(byte[] value, Perms perms, ChildMap children, long generation) {

    /** A new child set; {@code gen} is the new generation when the child set itself changed. */
    public Node withChildren(ChildMap c, long gen) {
        return new Node(value, perms, c, gen);
    }

    /**
     * The size of a node as C xenstored stores it: a 24-byte record header, 8 bytes per
     * permission entry, the value and the NUL-terminated child names. The {@code node-size}
     * quota limits it and the {@code memory} quota charges it; this is the one place it is
     * computed.
     */
    public static long size(Perms perms, int valueLength, int childNameBytes) {
        return 24L + 8L * perms.entries().size() + valueLength + childNameBytes;
    }

    /** This node's {@link #size}. */
    public long chargedSize() {
        return size(perms, value.length, children.nameBytes());
    }
}
