package org.jxenstore.watch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every registered watch, in a trie keyed by path components. Matching a change walks the
 * changed path once: O(depth), not O(number of watches), however many domains watch their own
 * subtrees. Special names ({@code @releaseDomain/5}) live in the same trie, under their first
 * component.
 */
public final class WatchIndex {
    private final Level root = new Level(null, null);
    private int size;

    private static final class Level {
        final Level parent;
        final String name;
        final Map<String, Level> children = new HashMap<>(4);
        final List<Watch> watches = new ArrayList<>(1);

        Level(Level parent, String name) {
            this.parent = parent;
            this.name = name;
        }
    }

    /**
     * The trie components of a path. Node paths hang below an empty first key ("/a/b" →
     * ["", a, b]; "/" → [""]) and special names below their own ("@x/5" → [@x, 5]), so that the
     * node {@code /@releaseDomain} and the special name {@code @releaseDomain} never meet.
     */
    private static String[] keys(String path) {
        if (path.equals("/")) {
            return new String[] {""};
        }
        return path.split("/", -1);
    }

    public void add(Watch w) {
        Level l = root;
        for (String k : keys(w.path())) {
            Level p = l;
            l = l.children.computeIfAbsent(k, n -> new Level(p, n));
        }
        l.watches.add(w);
        size++;
    }

    /** Removes a watch (by identity); prunes levels left empty. */
    public boolean remove(Watch w) {
        Level l = find(w.path());
        if (l == null || !l.watches.remove(w)) {
            return false;
        }
        size--;
        while (l.parent != null && l.watches.isEmpty() && l.children.isEmpty()) {
            l.parent.children.remove(l.name);
            l = l.parent;
        }
        return true;
    }

    private Level find(String path) {
        Level l = root;
        for (String k : keys(path)) {
            l = l.children.get(k);
            if (l == null) {
                return null;
            }
        }
        return l;
    }

    public int size() {
        return size;
    }

    /** Calls {@code action} for every watch on {@code path} or on one of its ancestors whose depth reaches it. */
    public void forEachCovering(String path, Consumer<Watch> action) {
        // The keys of keys(path), cut out one at a time and only while the trie goes deeper:
        // every change passes here, and most leave the trie after a level or two.
        int count = keyCount(path);
        Level l = root;
        for (int i = 0, from = 0; ; i++) {
            if (!l.watches.isEmpty()) {
                for (Watch w : List.copyOf(l.watches)) {
                    if (w.reaches(count - i)) {
                        action.accept(w);
                    }
                }
            }
            if (i == count || l.children.isEmpty()) {
                return;
            }
            int slash = path.indexOf('/', from);
            int to = slash < 0 ? path.length() : slash;
            l = l.children.get(path.substring(from, to));
            if (l == null) {
                return;
            }
            from = to + 1;
        }
    }

    /** How many keys {@link #keys} makes of a path. */
    private static int keyCount(String path) {
        if (path.equals("/")) {
            return 1;
        }
        int n = 1;
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            n++;
        }
        return n;
    }

    /** The watches registered exactly on {@code path}. */
    public List<Watch> exactly(String path) {
        Level l = find(path);
        return l == null ? List.of() : List.copyOf(l.watches);
    }

    /** Every watch, for {@code check}: walked with an explicit stack. */
    public List<Watch> all() {
        List<Watch> out = new ArrayList<>(size);
        ArrayList<Level> stack = new ArrayList<>();
        stack.add(root);
        while (!stack.isEmpty()) {
            Level l = stack.removeLast();
            out.addAll(l.watches);
            stack.addAll(l.children.values());
        }
        return out;
    }
}
