package org.jxenstore.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The children of a node: an immutable hash array mapped trie from name to child node.
 *
 * <p>Every update returns a new map that shares all untouched branches with the old one, so a
 * write under {@code /local/domain} with thousands of domains copies a handful of small arrays,
 * not the whole child list. C xenstored lists children in insertion order, so each child carries
 * the sequence number it was inserted with; {@link #names()} sorts by it.
 *
 * <p>The trie holds the child nodes themselves, each a copy that carries its name and sequence
 * number in its own array ({@link Node#placed}): an entry object around each was 24 bytes of
 * every node. Names are held as their bytes (every name came off the wire as ISO-8859-1, so each
 * char is one byte): a String around them was another 24.
 */
public final class ChildMap {
    public static final ChildMap EMPTY = new ChildMap(null, 0, 0, 0);

    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    /** The deepest level whose slots the hash's bits still tell apart. */
    private static final int MAX_SHIFT = 30;
    /**
     * Up to this many children that meet in one slot share a plain array, searched by name,
     * before it becomes a trie level: a level of its own for two or three children (a bitmap, an
     * object and an array) was most of what a wide parent's trie cost, and a parent of a few
     * children has no level at all.
     */
    private static final int BUCKET_MAX = 4;

    /** The trie: {@code null} (no children), a Node, a Node[] bucket or a Branch. */
    private final Object root;
    private final int size;
    private final long nextSeq;
    /**
     * Kept, not counted: an unprivileged creation checks its parent's size against the
     * node-size quota, and a walk of a wide parent's children on each one was the guest's to
     * make as long as it liked.
     */
    private final int nameBytes;

    private ChildMap(Object root, int size, long nextSeq, int nameBytes) {
        this.root = root;
        this.size = size;
        this.nextSeq = nextSeq;
        this.nameBytes = nameBytes;
    }

    /**
     * A trie level: a bitmap of occupied slots and, per slot, a Node, a Node[] bucket or a
     * Branch. A level at shift {@code s} tells its slots apart by the hash's bits from {@code s}.
     */
    private record Branch(int bitmap, Object[] slots) {
        static final Branch EMPTY = new Branch(0, new Object[0]);

        int index(int bit) {
            return Integer.bitCount(bitmap & (bit - 1));
        }
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The child with this name, or {@code null}. */
    public Node get(String name) {
        return get(name, 0, name.length());
    }

    /**
     * The child named by {@code path}'s characters from {@code from} to {@code to}, or {@code
     * null}. A path walk looks up each component in place: cutting it out first made a String
     * and its bytes per level, on every request, for a name the map already holds.
     */
    public Node get(String path, int from, int to) {
        return find(path, from, to, hash(path, from, to));
    }

    /** String.hashCode of {@code path}'s characters from {@code from} to {@code to}. */
    private static int hash(String path, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + path.charAt(i);
        }
        return h;
    }

    private Node find(String path, int from, int to, int h) {
        Object slot = root;
        for (int shift = 0; ; shift += BITS) {
            switch (slot) {
                case null -> {
                    return null;
                }
                case Node n -> {
                    return n.named(path, from, to) ? n : null;
                }
                case Node[] bucket -> {
                    for (Node e : bucket) {
                        if (e.named(path, from, to)) {
                            return e;
                        }
                    }
                    return null;
                }
                case Branch b -> {
                    int bit = 1 << ((h >>> shift) & MASK);
                    slot = (b.bitmap & bit) == 0 ? null : b.slots[b.index(bit)];
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    /** This map with {@code name} bound to {@code node}; an existing name keeps its position. */
    public ChildMap with(String name, Node node) {
        return with(name, 0, name.length(), node);
    }

    /**
     * This map with the child named by {@code path}'s characters from {@code from} to {@code to}
     * bound to {@code node}; an existing name keeps its position, and its bytes.
     */
    public ChildMap with(String path, int from, int to, Node node) {
        int h = hash(path, from, to);
        Node old = find(path, from, to, h);
        Node placed = old == null ? node.placed(path, from, to, nextSeq) : node.placedAs(old);
        Object r = insert(root, placed, h, 0);
        if (old != null) {
            return new ChildMap(r, size, nextSeq, nameBytes);
        }
        return new ChildMap(r, size + 1, nextSeq + 1, nameBytes + placed.nameLength() + 1);
    }

    /** This map without {@code name}. */
    public ChildMap without(String name) {
        if (find(name, 0, name.length(), name.hashCode()) == null) {
            return this;
        }
        if (size == 1) {
            return EMPTY;
        }
        Object r = remove(root, name, name.hashCode(), 0);
        return new ChildMap(r, size - 1, nextSeq, nameBytes - name.length() - 1);
    }

    /**
     * The slot {@code slot}, at a place where a level would tell children apart by the hash's
     * bits from {@code shift}, with {@code e} (hash {@code h}) added or put in its namesake's
     * stead. Recursion here is bounded by the hash's width (seven levels and a bucket), not by the
     * client.
     */
    private static Object insert(Object slot, Node e, int h, int shift) {
        return switch (slot) {
            case null -> e;
            case Node old when old.sameName(e) -> e;
            case Node old -> new Node[] {old, e};
            case Node[] bucket -> {
                for (int i = 0; i < bucket.length; i++) {
                    if (bucket[i].sameName(e)) {
                        Node[] copy = bucket.clone();
                        copy[i] = e;
                        yield copy;
                    }
                }
                // Past the last level every child here has the same hash: the bucket just grows.
                if (bucket.length < BUCKET_MAX || shift > MAX_SHIFT) {
                    Node[] copy = Arrays.copyOf(bucket, bucket.length + 1);
                    copy[bucket.length] = e;
                    yield copy;
                }
                Object level = Branch.EMPTY;
                for (Node n : bucket) {
                    level = insert(level, n, n.nameHash(), shift);
                }
                yield insert(level, e, h, shift);
            }
            case Branch b -> {
                int bit = 1 << ((h >>> shift) & MASK);
                int idx = b.index(bit);
                if ((b.bitmap & bit) == 0) {
                    Object[] s = new Object[b.slots.length + 1];
                    System.arraycopy(b.slots, 0, s, 0, idx);
                    s[idx] = e;
                    System.arraycopy(b.slots, idx, s, idx + 1, b.slots.length - idx);
                    yield new Branch(b.bitmap | bit, s);
                }
                Object[] s = b.slots.clone();
                s[idx] = insert(b.slots[idx], e, h, shift + BITS);
                yield new Branch(b.bitmap, s);
            }
            default -> throw new IllegalStateException();
        };
    }

    /** The slot without the child {@code name} (which it holds), or {@code null} if nothing is left. */
    private static Object remove(Object slot, String name, int h, int shift) {
        return switch (slot) {
            case Node n -> null;
            case Node[] bucket -> {
                if (bucket.length == 2) {
                    yield bucket[0].named(name, 0, name.length()) ? bucket[1] : bucket[0];
                }
                yield Arrays.stream(bucket).filter(x -> !x.named(name, 0, name.length())).toArray(Node[]::new);
            }
            case Branch b -> {
                int bit = 1 << ((h >>> shift) & MASK);
                int idx = b.index(bit);
                Object r = remove(b.slots[idx], name, h, shift + BITS);
                Branch left;
                if (r != null) {
                    Object[] s = b.slots.clone();
                    s[idx] = r;
                    left = new Branch(b.bitmap, s);
                } else if (b.slots.length == 1) {
                    yield null;
                } else {
                    Object[] s = new Object[b.slots.length - 1];
                    System.arraycopy(b.slots, 0, s, 0, idx);
                    System.arraycopy(b.slots, idx + 1, s, idx, b.slots.length - idx - 1);
                    left = new Branch(b.bitmap & ~bit, s);
                }
                // A level left with one child, or a bucket that fits, gives way to it. Not to a
                // bigger bucket: that is one of names with equal hashes past the last level, and
                // higher up, each insert would split it again, a level at a time, name by name.
                yield left.slots.length == 1 && fitsAbove(left.slots[0]) ? left.slots[0] : left;
            }
            default -> throw new IllegalStateException();
        };
    }

    private static boolean fitsAbove(Object slot) {
        return slot instanceof Node || slot instanceof Node[] bucket && bucket.length <= BUCKET_MAX;
    }

    /** Bytes of the child names, each NUL-terminated, as a node record holds them. */
    public int nameBytes() {
        return nameBytes;
    }

    /** The child names in insertion order, as C xenstored lists them. */
    public List<String> names() {
        List<Node> all = held();
        all.sort(Comparator.comparingLong(Node::seq));
        List<String> out = new ArrayList<>(all.size());
        for (Node n : all) {
            out.add(n.name());
        }
        return out;
    }

    private List<Node> held() {
        List<Node> out = new ArrayList<>(size);
        // The trie is at most seven levels and a bucket deep; an explicit stack walks it.
        ArrayList<Object> stack = new ArrayList<>();
        if (root != null) {
            stack.add(root);
        }
        while (!stack.isEmpty()) {
            switch (stack.removeLast()) {
                case Node n -> out.add(n);
                case Node[] bucket -> out.addAll(Arrays.asList(bucket));
                case Branch b -> stack.addAll(Arrays.asList(b.slots));
                default -> throw new IllegalStateException();
            }
        }
        return out;
    }
}
