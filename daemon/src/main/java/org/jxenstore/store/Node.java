package org.jxenstore.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jxenstore.access.Perms;

/**
 * One immutable node of the store. A node's name is the key under which its parent holds it.
 *
 * <p>Not a record, for memory. The copy of a node that its parent's {@link ChildMap} holds also
 * carries its name and its place among its siblings (a separate map entry per node was 24 bytes
 * of every node), and the generation, place, name and value share one array: the name as an
 * array of its own took another array header, and the place and the generation two long fields
 * that made every node 40 bytes rather than 24. Copies made from a held node keep its name and
 * place, which only a child map reads; a node made afresh has neither (place 0, empty name).
 *
 * <p>The array: the generation, the place and the name's length as unsigned LEB128 varints, the
 * name's bytes (ISO-8859-1, as every name came off the wire), then the value's. The part from the
 * place to the end of the name is the node's "place" in the methods below.
 */
public final class Node {
    /** The place of a node never held: number 0, and a name of no bytes. */
    private static final byte[] UNPLACED = {0, 0};

    private final byte[] bytes;
    private final Perms perms;
    private final ChildMap children;

    /**
     * @param value      raw bytes, possibly empty, possibly containing NULs
     * @param perms      owner, default access and ACL entries
     * @param children   the child nodes
     * @param generation the global generation count when this node (its value, permissions or
     *                   child set) last changed; DIRECTORY_PART and transactions compare it
     */
    public Node(byte[] value, Perms perms, ChildMap children, long generation) {
        this(perms, children, joined(generation, UNPLACED, 0, UNPLACED.length, value, 0));
    }

    private Node(Perms perms, ChildMap children, byte[] bytes) {
        this.bytes = bytes;
        this.perms = perms;
        this.children = children;
    }

    /**
     * A node's array: {@code generation}, the place in {@code place} from {@code placeFrom} to
     * {@code placeTo}, then {@code value}'s bytes from {@code valueFrom} on.
     */
    private static byte[] joined(long generation, byte[] place, int placeFrom, int placeTo, byte[] value,
            int valueFrom) {
        int placeLength = placeTo - placeFrom;
        int at = varintSize(generation);
        byte[] b = new byte[at + placeLength + value.length - valueFrom];
        putVarint(b, 0, generation);
        System.arraycopy(place, placeFrom, b, at, placeLength);
        System.arraycopy(value, valueFrom, b, at + placeLength, value.length - valueFrom);
        return b;
    }

    /** The index just past the varint at {@code i}. */
    private static int skipVarint(byte[] b, int i) {
        while (b[i++] < 0) {
            // a set high bit: another byte follows
        }
        return i;
    }

    private static int putVarint(byte[] b, int i, long v) {
        while ((v & ~0x7FL) != 0) {
            b[i++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[i++] = (byte) v;
        return i;
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static long readVarint(byte[] b, int i) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[i++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
    }

    /** Where the place begins: just past the generation. */
    private int placeAt() {
        return skipVarint(bytes, 0);
    }

    /** Where the name's length begins: just past the place's number. */
    private int nameLengthAt() {
        return skipVarint(bytes, placeAt());
    }

    /** Where the name's bytes begin. */
    private int nameAt() {
        return skipVarint(bytes, nameLengthAt());
    }

    /** Where the value begins: just past the name. */
    private int valueAt() {
        int at = nameLengthAt();
        return skipVarint(bytes, at) + (int) readVarint(bytes, at);
    }

    /**
     * This node as a child map holds it: named by {@code path}'s characters from {@code from} to
     * {@code to}, inserted {@code seq}-th.
     */
    Node placed(String path, int from, int to, long seq) {
        int nameLength = to - from;
        int valueAt = valueAt();
        int valueLength = bytes.length - valueAt;
        long generation = generation();
        byte[] b = new byte[varintSize(generation) + varintSize(seq) + varintSize(nameLength) + nameLength
                + valueLength];
        int i = putVarint(b, putVarint(b, putVarint(b, 0, generation), seq), nameLength);
        for (int k = from; k < to; k++) {
            char c = path.charAt(k);
            // A wider char would be stored as another name than the one looked up.
            if (c > 0xFF) {
                throw new IllegalArgumentException("a node name is ISO-8859-1: " + path.substring(from, to));
            }
            b[i++] = (byte) c;
        }
        System.arraycopy(bytes, valueAt, b, i, valueLength);
        return new Node(perms, children, b);
    }

    /** This node as a child map holds it in {@code held}'s place: the same name and position. */
    Node placedAs(Node held) {
        int placeAt = placeAt();
        int valueAt = valueAt();
        int heldPlaceAt = held.placeAt();
        int heldValueAt = held.valueAt();
        if (Arrays.equals(bytes, placeAt, valueAt, held.bytes, heldPlaceAt, heldValueAt)) {
            return this;
        }
        return new Node(perms, children, joined(generation(), held.bytes, heldPlaceAt, heldValueAt, bytes, valueAt));
    }

    /** Its insertion number among its siblings, in a held node. */
    long seq() {
        return readVarint(bytes, placeAt());
    }

    /** Bytes of its name, in a held node. */
    int nameLength() {
        return (int) readVarint(bytes, nameLengthAt());
    }

    /** Whether its name is {@code path}'s characters from {@code from} to {@code to}. */
    boolean named(String path, int from, int to) {
        int at = nameLengthAt();
        if (readVarint(bytes, at) != to - from) {
            return false;
        }
        at = skipVarint(bytes, at);
        for (int i = from; i < to; i++) {
            if ((bytes[at++] & 0xff) != path.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    boolean sameName(Node other) {
        return Arrays.equals(bytes, nameAt(), valueAt(), other.bytes, other.nameAt(), other.valueAt());
    }

    /** Its name's String.hashCode, without making the String. */
    int nameHash() {
        int h = 0;
        for (int i = nameAt(), end = valueAt(); i < end; i++) {
            h = 31 * h + (bytes[i] & 0xff);
        }
        return h;
    }

    String name() {
        int at = nameAt();
        return new String(bytes, at, valueAt() - at, StandardCharsets.ISO_8859_1);
    }

    /** A copy of the value: the node's array is shared by its copies and must not change. */
    public byte[] value() {
        return Arrays.copyOfRange(bytes, valueAt(), bytes.length);
    }

    public int valueLength() {
        return bytes.length - valueAt();
    }

    public Perms perms() {
        return perms;
    }

    public ChildMap children() {
        return children;
    }

    public long generation() {
        return readVarint(bytes, 0);
    }

    /**
     * A new child set; {@code gen} is the new generation when the child set itself changed. The
     * copy keeps the name and place this node was held with, so that a write, which rebinds
     * every ancestor of the node it changes, makes one copy of each and not two.
     */
    public Node withChildren(ChildMap c, long gen) {
        if (gen == generation()) {
            return new Node(perms, c, bytes);
        }
        int valueAt = valueAt();
        return new Node(perms, c, joined(gen, bytes, placeAt(), valueAt, bytes, valueAt));
    }

    /** A new value and permissions, in generation {@code gen}; children, name and place kept. */
    public Node withValue(byte[] newValue, Perms newPerms, long gen) {
        return new Node(newPerms, children, joined(gen, bytes, placeAt(), valueAt(), newValue, 0));
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
        return size(perms, valueLength(), children.nameBytes());
    }
}
