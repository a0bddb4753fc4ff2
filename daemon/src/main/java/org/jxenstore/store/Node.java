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
     * The size C xenstored charges against the {@code node-size} quota: its record header, 8
     * bytes per permission, the value and the NUL-terminated child names.
     */
    public int chargedSize() {
        return 24 + 8 * perms.entries().size() + value.length + children.nameBytes();
    }
}
