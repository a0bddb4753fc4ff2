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
 * number ({@link Node#placed}): an entry object around each was 24 bytes of every node. Names are
 * held as their bytes (every name came off the wire as ISO-8859-1, so each char is one byte): a
 * String around them was another 24.
 */
public final class ChildMap {
    public static final ChildMap EMPTY = new ChildMap(Branch.EMPTY, 0, 0, 0);

    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    private static final int MAX_SHIFT = 30;

    private final Branch root;
    private final int size;
    private final long nextSeq;
    /**
     * Kept, not counted: an unprivileged creation checks its parent's size against the
     * node-size quota, and a walk of a wide parent's children on each one was the guest's to
     * make as long as it liked.
     */
    private final int nameBytes;

    private ChildMap(Branch root, int size, long nextSeq, int nameBytes) {
        this.root = root;
        this.size = size;
        this.nextSeq = nextSeq;
        this.nameBytes = nameBytes;
    }

    /** Children whose names share all 32 hash bits. */
    private record Collision(Node[] nodes) {
    }

    /** A trie level: a bitmap of occupied slots and, per slot, a Node, a Collision or a Branch. */
    private record Branch(int bitmap, Object[] slots) {
        static final Branch EMPTY = new Branch(0, new Object[0]);
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
        Branch b = root;
        for (int shift = 0; ; shift += BITS) {
            int bit = 1 << ((h >>> shift) & MASK);
            if ((b.bitmap & bit) == 0) {
                return null;
            }
            Object slot = b.slots[Integer.bitCount(b.bitmap & (bit - 1))];
            switch (slot) {
                case Node n -> {
                    return n.named(path, from, to) ? n : null;
                }
                case Collision c -> {
                    for (Node e : c.nodes) {
                        if (e.named(path, from, to)) {
                            return e;
                        }
                    }
                    return null;
                }
                case Branch next -> b = next;
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
        Branch r = insert(root, placed, h, 0);
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
        Branch r = remove(root, name, name.hashCode(), 0);
        if (size == 1) {
            return EMPTY;
        }
        return new ChildMap(r == null ? Branch.EMPTY : r, size - 1, nextSeq, nameBytes - name.length() - 1);
    }

    private static Branch insert(Branch b, Node e, int h, int shift) {
        int bit = 1 << ((h >>> shift) & MASK);
        int idx = Integer.bitCount(b.bitmap & (bit - 1));
        if ((b.bitmap & bit) == 0) {
            Object[] s = new Object[b.slots.length + 1];
            System.arraycopy(b.slots, 0, s, 0, idx);
            s[idx] = e;
            System.arraycopy(b.slots, idx, s, idx + 1, b.slots.length - idx);
            return new Branch(b.bitmap | bit, s);
        }
        Object slot = b.slots[idx];
        Object replacement = switch (slot) {
            case Node old when old.sameName(e) -> e;
            case Node old when old.nameHash() == h -> new Collision(new Node[] {old, e});
            case Node old -> {
                if (shift >= MAX_SHIFT) {
                    throw new IllegalStateException("distinct hashes exhausted the trie");
                }
                Branch sub = insert(insert(Branch.EMPTY, old, old.nameHash(), shift + BITS), e, h, shift + BITS);
                yield sub;
            }
            case Collision c -> {
                Node[] es = c.nodes;
                for (int i = 0; i < es.length; i++) {
                    if (es[i].sameName(e)) {
                        Node[] copy = es.clone();
                        copy[i] = e;
                        yield new Collision(copy);
                    }
                }
                Node[] copy = Arrays.copyOf(es, es.length + 1);
                copy[es.length] = e;
                yield new Collision(copy);
            }
            case Branch sub -> insert(sub, e, h, shift + BITS);
            default -> throw new IllegalStateException();
        };
        Object[] s = b.slots.clone();
        s[idx] = replacement;
        return new Branch(b.bitmap, s);
    }

    /** Returns the branch without the name, or {@code null} if it became empty. */
    private static Branch remove(Branch b, String name, int h, int shift) {
        int bit = 1 << ((h >>> shift) & MASK);
        int idx = Integer.bitCount(b.bitmap & (bit - 1));
        Object slot = b.slots[idx];
        Object replacement = switch (slot) {
            case Node n -> null;
            case Collision c -> {
                Node[] es = c.nodes;
                if (es.length == 2) {
                    yield es[0].named(name, 0, name.length()) ? es[1] : es[0];
                }
                yield new Collision(Arrays.stream(es).filter(x -> !x.named(name, 0, name.length()))
                        .toArray(Node[]::new));
            }
            case Branch sub -> {
                Branch r = remove(sub, name, h, shift + BITS);
                // A branch left holding a single child collapses into that child.
                if (r != null && r.slots.length == 1 && r.slots[0] instanceof Node only) {
                    yield only;
                }
                yield r;
            }
            default -> throw new IllegalStateException();
        };
        if (replacement != null) {
            Object[] s = b.slots.clone();
            s[idx] = replacement;
            return new Branch(b.bitmap, s);
        }
        if (b.slots.length == 1) {
            return null;
        }
        Object[] s = new Object[b.slots.length - 1];
        System.arraycopy(b.slots, 0, s, 0, idx);
        System.arraycopy(b.slots, idx + 1, s, idx, b.slots.length - idx - 1);
        return new Branch(b.bitmap & ~bit, s);
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
        // The trie is at most seven levels deep; an explicit stack walks it without copying.
        ArrayList<Branch> stack = new ArrayList<>();
        stack.add(root);
        while (!stack.isEmpty()) {
            Branch b = stack.removeLast();
            for (Object slot : b.slots) {
                switch (slot) {
                    case Node n -> out.add(n);
                    case Collision c -> out.addAll(Arrays.asList(c.nodes));
                    case Branch sub -> stack.add(sub);
                    default -> throw new IllegalStateException();
                }
            }
        }
        return out;
    }
}
