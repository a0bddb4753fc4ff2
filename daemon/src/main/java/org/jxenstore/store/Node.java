package org.jxenstore.store;

import org.jxenstore.access.Perms;

/**
 * One immutable node of the store. A node's name is the key under which its parent holds it.
 *
 * <p>Not a record, for memory: the copy of a node that its parent's {@link ChildMap} holds also
 * carries its name and its place among its siblings, which a separate map entry per node (24
 * bytes of every node) held before. Copies made from a held node keep both, which only a child
 * map reads; a node made afresh has neither.
 */
public final class Node {
    private final byte[] value;
    private final Perms perms;
    private final ChildMap children;
    private final long generation;
    /**
     * Its name's bytes, in the copy a child map holds and in the copies made from that one;
     * {@code null} in a node never held.
     */
    final byte[] name;
    /** Its insertion number among its siblings, where {@link #name} is set. */
    final long seq;

    /**
     * @param value      raw bytes, possibly empty, possibly containing NULs
     * @param perms      owner, default access and ACL entries
     * @param children   the child nodes
     * @param generation the global generation count when this node (its value, permissions or
     *                   child set) last changed; DIRECTORY_PART and transactions compare it
     */
    public Node(byte[] value, Perms perms, ChildMap children, long generation) {
        this(value, perms, children, generation, null, 0);
    }

    private Node(byte[] value, Perms perms, ChildMap children, long generation, byte[] name, long seq) {
        this.value = value;
        this.perms = perms;
        this.children = children;
        this.generation = generation;
        this.name = name;
        this.seq = seq;
    }

    /** This node as a child map holds it: under {@code name}, inserted {@code seq}-th. */
    Node placed(byte[] name, long seq) {
        return this.name == name && this.seq == seq ? this : new Node(value, perms, children, generation, name, seq);
    }

    public byte[] value() {
        return value;
    }

    public Perms perms() {
        return perms;
    }

    public ChildMap children() {
        return children;
    }

    public long generation() {
        return generation;
    }

    /**
     * A new child set; {@code gen} is the new generation when the child set itself changed. The
     * copy keeps the name and place this node was held with, so that a write, which rebinds
     * every ancestor of the node it changes, makes one copy of each and not two.
     */
    public Node withChildren(ChildMap c, long gen) {
        return new Node(value, perms, c, gen, name, seq);
    }

    /** A new value and permissions, in generation {@code gen}; children, name and place kept. */
    public Node withValue(byte[] newValue, Perms newPerms, long gen) {
        return new Node(newValue, newPerms, children, gen, name, seq);
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
