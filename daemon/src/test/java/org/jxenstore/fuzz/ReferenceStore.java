package org.jxenstore.fuzz;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jxenstore.access.Perm;

/**
 * A deliberately naive xenstore for a privileged caller, written from the C semantics (reference
 * §2.1, §2.5) and nothing else, for {@link DifferentialFuzzTest}.
 *
 * <p>The store is a flat map from absolute path to node; a node holds its value, its permission
 * strings, its child names in insertion order and a version taken from a global clock whenever the
 * node is written, created, or gains or loses a child (C's generation). A transaction keeps, per
 * path it has looked at, the node as it first saw it (or "absent") and that node's version; it
 * reads and writes only that copy. Commit fails with EAGAIN iff some looked-at path's live version
 * differs from the remembered one; otherwise every node the transaction changed is copied into the
 * live map (with a new version), removed ones are removed. Replies are rendered as text: an error
 * name, or the payload with NUL-separated strings joined by spaces (raw value for READ).
 */
final class ReferenceStore {
    private static final long ABSENT = -1;

    /** A node; never changed in place. */
    record Node(byte[] value, List<String> perms, List<String> children, long version) {
        Node withValue(byte[] v) {
            return new Node(v, perms, children, version);
        }

        Node withPerms(List<String> p) {
            return new Node(value, p, children, version);
        }

        Node withChild(String name) {
            List<String> c = new ArrayList<>(children);
            // A transaction's copy of a parent can be newer than its copy of a child it creates
            // (another connection created the child meanwhile; the commit will get EAGAIN): the
            // name is listed once.
            if (!c.contains(name)) {
                c.add(name);
            }
            return new Node(value, perms, c, version);
        }

        Node withoutChild(String name) {
            List<String> c = new ArrayList<>(children);
            c.remove(name);
            return new Node(value, perms, c, version);
        }
    }

    /** Where an operation looks up and stores nodes: the live map, or a transaction's copy of it. */
    private interface View {
        Node get(String path);

        /** Stores a node ({@code null}: removes it). */
        void set(String path, Node n);
    }

    static final class Txn {
        final Map<String, Node> copy = new HashMap<>();
        final Map<String, Long> firstVersion = new HashMap<>();
        final LinkedHashSet<String> changed = new LinkedHashSet<>();
    }

    /** One connection: its open transactions by id and C's id counter. */
    static final class Conn {
        final TreeMap<Integer, Txn> txns = new TreeMap<>();
        int nextId = 1;
    }

    private final TreeMap<String, Node> live = new TreeMap<>();
    private long clock;

    private final View liveView = new View() {
        @Override
        public Node get(String path) {
            return live.get(path);
        }

        @Override
        public void set(String path, Node n) {
            if (n == null) {
                live.remove(path);
            } else {
                live.put(path, new Node(n.value(), n.perms(), n.children(), ++clock));
            }
        }
    };

    ReferenceStore() {
        List<String> n0 = List.of("n0");
        live.put("/", new Node(new byte[0], n0, List.of("tool"), 0));
        live.put("/tool", new Node(new byte[0], n0, List.of("xenstored"), 0));
        live.put("/tool/xenstored", new Node(new byte[0], n0, List.of(), 0));
    }

    /** Every live node, by path. */
    void forEach(java.util.function.BiConsumer<String, Node> action) {
        live.forEach(action);
    }

    private View txnView(Txn t) {
        return new View() {
            @Override
            public Node get(String path) {
                if (!t.copy.containsKey(path)) {
                    Node n = live.get(path);
                    t.copy.put(path, n);
                    t.firstVersion.put(path, n == null ? ABSENT : n.version());
                }
                return t.copy.get(path);
            }

            @Override
            public void set(String path, Node n) {
                get(path);
                t.copy.put(path, n);
                t.changed.add(path);
            }
        };
    }

    /** Thrown for an error reply. */
    static final class Err extends Exception {
        Err(String name) {
            super(name, null, false, false);
        }
    }

    // ---- requests -------------------------------------------------------------------------

    /** Runs one request of connection {@code c}; {@code args} are the payload's strings. */
    String request(Conn c, String op, int tx, List<String> args, byte[] value) {
        try {
            return run(c, op, tx, args, value);
        } catch (Err e) {
            return e.getMessage();
        }
    }

    private String run(Conn c, String op, int tx, List<String> args, byte[] value) throws Err {
        // C looks the transaction up before it parses the payload.
        Txn t = null;
        if (tx != 0) {
            t = c.txns.get(tx);
            if (t == null) {
                throw new Err("ENOENT");
            }
        }
        View v = t == null ? liveView : txnView(t);
        switch (op) {
            case "TRANSACTION_START" -> {
                if (t != null) {
                    throw new Err("EBUSY");
                }
                while (c.txns.containsKey(c.nextId) || c.nextId == 0) {
                    c.nextId++;
                }
                int id = c.nextId++;
                c.txns.put(id, new Txn());
                return Integer.toString(id);
            }
            case "TRANSACTION_END" -> {
                String a = one(args);
                if (!a.equals("T") && !a.equals("F")) {
                    throw new Err("EINVAL");
                }
                if (t == null) {
                    throw new Err("ENOENT");
                }
                c.txns.remove(tx);
                if (a.equals("T")) {
                    commit(t);
                }
                return "OK";
            }
            case "READ" -> {
                Node n = need(v, path(one(args)));
                return new String(n.value(), java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            case "DIRECTORY" -> {
                return String.join(" ", need(v, path(one(args))).children());
            }
            case "GET_PERMS" -> {
                String raw = one(args);
                if (raw.startsWith("@")) {
                    // C 4.17, the reference peer, refuses every special name here (xsprobe
                    // special_nodes_perms); Xen 4.22 looks them up as nodes.
                    throw new Err("EINVAL");
                }
                return String.join(" ", need(v, path(raw)).perms());
            }
            case "WRITE" -> {
                String p = path(args.getFirst());
                Node n = v.get(p);
                if (n != null) {
                    v.set(p, n.withValue(value));
                } else {
                    create(v, p, value);
                }
                return "OK";
            }
            case "MKDIR" -> {
                String p = path(one(args));
                if (v.get(p) == null) {
                    create(v, p, new byte[0]);
                }
                return "OK";
            }
            case "RM" -> {
                String p = path(one(args));
                if (v.get(p) == null) {
                    String parent = parent(p);
                    if (parent != null && v.get(parent) != null) {
                        return "OK";
                    }
                    throw new Err("ENOENT");
                }
                if (p.equals("/")) {
                    throw new Err("EINVAL");
                }
                if (v.get(parent(p)) == null) {
                    // Only in a transaction whose copies disagree (the node was looked at before
                    // another connection removed its parent): C's remove_child_entry finds no
                    // parent and fails the request with EINVAL.
                    throw new Err("EINVAL");
                }
                ArrayList<String> stack = new ArrayList<>(List.of(p));
                while (!stack.isEmpty()) {
                    String q = stack.removeLast();
                    Node n = v.get(q);
                    if (n != null) {
                        for (String child : n.children()) {
                            stack.add(child(q, child));
                        }
                        v.set(q, null);
                    }
                }
                String parent = parent(p);
                v.set(parent, v.get(parent).withoutChild(name(p)));
                return "OK";
            }
            case "SET_PERMS" -> {
                if (args.size() < 2) {
                    throw new Err("EINVAL");
                }
                List<String> perms = new ArrayList<>();
                for (String s : args.subList(1, args.size())) {
                    perms.add(perm(s));
                }
                if (!domainExists(Integer.parseInt(perms.getFirst().substring(1)))) {
                    throw new Err("ENOENT");
                }
                if (args.getFirst().startsWith("@")) {
                    throw new Err("ENOENT");
                }
                String p = path(args.getFirst());
                Node n = need(v, p);
                v.set(p, n.withPerms(perms));
                return "OK";
            }
            default -> throw new IllegalArgumentException(op);
        }
    }

    private static String one(List<String> args) throws Err {
        if (args.size() != 1) {
            throw new Err("EINVAL");
        }
        return args.getFirst();
    }

    private static Node need(View v, String path) throws Err {
        Node n = v.get(path);
        if (n == null) {
            throw new Err("ENOENT");
        }
        return n;
    }

    /** Creates a node and its missing ancestors, which copy the nearest existing ancestor's perms. */
    private static void create(View v, String path, byte[] value) {
        List<String> missing = new ArrayList<>(List.of(path));
        Node base = null;
        for (String a = parent(path); a != null; a = parent(a)) {
            base = v.get(a);
            if (base != null) {
                break;
            }
            missing.add(a);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            String p = missing.get(i);
            v.set(parent(p), v.get(parent(p)).withChild(name(p)));
            v.set(p, new Node(i == 0 ? value : new byte[0], base.perms(), List.of(), 0));
        }
    }

    private void commit(Txn t) throws Err {
        for (Map.Entry<String, Long> e : t.firstVersion.entrySet()) {
            Node n = live.get(e.getKey());
            if ((n == null ? ABSENT : n.version()) != e.getValue()) {
                throw new Err("EAGAIN");
            }
        }
        // Every looked-at node is as the transaction first saw it, so its copy can replace it.
        for (String p : t.changed) {
            liveView.set(p, t.copy.get(p));
        }
    }

    // ---- paths and permissions ----------------------------------------------------------

    /** Relative paths are below dom0's home; then C's is_valid_nodename for these short paths. */
    static String path(String raw) throws Err {
        String p = raw.startsWith("/") ? raw : "/local/domain/0/" + raw;
        boolean ok = !raw.startsWith("@") && !(p.length() > 1 && p.endsWith("/")) && !p.contains("//");
        for (char ch : p.toCharArray()) {
            ok &= (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '/' || ch == '_' || ch == '@' || ch == '-';
        }
        if (!ok) {
            throw new Err("EINVAL");
        }
        return p;
    }

    /**
     * A permission entry, as listed back. Its syntax is C's strtol and has tests of its own
     * (PermissionTest): the model takes the daemon's parser and checks what the tree does with it.
     */
    static String perm(String s) throws Err {
        Perm p = Perm.parse(s);
        if (p == null) {
            throw new Err("EINVAL");
        }
        return p.toString();
    }

    /** Without a hypervisor (-D) every domid below the reserved ones may be named; others are ignored. */
    static boolean domainExists(int domid) {
        return domid >= 0 && domid < 0x7FF0;
    }

    static String parent(String p) {
        if (p.equals("/")) {
            return null;
        }
        int i = p.lastIndexOf('/');
        return i == 0 ? "/" : p.substring(0, i);
    }

    static String name(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }
}
