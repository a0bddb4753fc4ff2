package org.jxenstore.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.store.Node;
import org.jxenstore.store.NodePath;

/**
 * The live store, through the real decoder and {@code RequestExecutor}, against
 * {@link ReferenceStore}, a naive model of C xenstored's semantics.
 *
 * <p>Input: up to 200 operations (READ, WRITE, MKDIR, RM, DIRECTORY, GET_PERMS, SET_PERMS,
 * TRANSACTION_START, TRANSACTION_END T/F) from two privileged connections, on paths over a
 * three-letter alphabet (so that operations collide), now and then relative, invalid, or with a
 * malformed payload; each names tx 0, one of its connection's open transactions, or an id that is
 * not open.
 *
 * <p>Invariants: every reply is identical (error name, value, child list in order, permission
 * list, transaction id), and after every operation the whole live tree (paths, values,
 * permissions, child order) is identical.
 */
class DifferentialFuzzTest {
    private static final String[] OPS = {
        "READ", "WRITE", "MKDIR", "RM", "DIRECTORY", "GET_PERMS", "SET_PERMS", "TRANSACTION_START",
        "TRANSACTION_END", "TRANSACTION_END",
    };
    private static final String[] NAMES = {"a", "b", "c"};
    private static final String[] ODD_PATHS = {"", "/a/", "a//b", "@a", "/a b", "a", "b/c"};
    private static final String[] PERMS = {"n0", "r0", "b0", "w1", "r1", "n2", "b7", "r00003", "x1", "r70000", "r"};

    /** With {@code -Djxenstore.fuzz.trace=true}, every operation is printed as it runs. */
    private static final boolean TRACE = Boolean.getBoolean("jxenstore.fuzz.trace");

    @FuzzTest
    void differential(FuzzedDataProvider data) {
        XsFixture fx = new XsFixture();
        ReferenceStore model = new ReferenceStore();
        List<XsFixture.Client> clients = List.of(fx.dom0(), fx.dom0());
        List<ReferenceStore.Conn> conns = List.of(new ReferenceStore.Conn(), new ReferenceStore.Conn());
        StringBuilder trace = new StringBuilder();
        for (int step = 0; step < 200 && data.remainingBytes() > 0; step++) {
            int who = data.consumeInt(0, 1);
            ReferenceStore.Conn conn = conns.get(who);
            int opIndex = data.consumeInt(0, OPS.length - 1);
            String op = OPS[opIndex];
            int tx = switch (data.consumeInt(0, 3)) {
                case 0, 1 -> 0;
                case 2 -> conn.txns.isEmpty() ? 0 : data.pickValue(new ArrayList<>(conn.txns.keySet()));
                default -> data.consumeInt(1, 9);
            };
            List<String> args = new ArrayList<>();
            byte[] value = new byte[0];
            switch (op) {
                case "TRANSACTION_START" -> args.add("");
                case "TRANSACTION_END" -> args.add(opIndex == 8 ? "T" : "F");
                case "WRITE" -> {
                    args.add(path(data));
                    value = data.consumeBytes(data.consumeInt(0, 8));
                }
                case "SET_PERMS" -> {
                    args.add(path(data));
                    int n = data.consumeInt(1, 3);
                    for (int i = 0; i < n; i++) {
                        args.add(data.pickValue(PERMS));
                    }
                }
                default -> args.add(path(data));
            }
            // Now and then a malformed payload: an extra string, or the last NUL missing.
            int malformed = op.equals("WRITE") || op.equals("SET_PERMS") || op.equals("TRANSACTION_START")
                    ? 0 : data.consumeInt(0, 15);
            byte[] payload = encode(args, value, malformed);
            List<String> modelArgs = new ArrayList<>(args);
            if (payload.length != encode(args, value, 0).length) {
                // Either way a one-string request no longer has exactly one string: EINVAL.
                modelArgs.add("");
            }
            trace.append(String.format("conn%d %s tx=%d %s%n", who, op, tx, DispatcherFuzzTest.show(payload)));
            if (TRACE) {
                System.out.printf("conn%d %s tx=%d %s%n", who, op, tx, DispatcherFuzzTest.show(payload));
            }
            String want = model.request(conn, op, tx, modelArgs, value);
            String got;
            try {
                got = clients.get(who).send(MessageType.valueOf(op), tx, payload);
            } catch (RuntimeException e) {
                throw new AssertionError("internal error after:\n" + trace, e);
            }
            assertEquals(want, got, "reply differs from the model after:\n" + trace);
            assertEquals(snapshot(model), snapshot(fx), "tree differs from the model after:\n" + trace);
        }
    }

    private static String path(FuzzedDataProvider data) {
        int depth = data.consumeInt(0, 4);
        if (depth == 4) {
            return data.pickValue(ODD_PATHS);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            sb.append('/').append(data.pickValue(NAMES));
        }
        return depth == 0 ? "/" : sb.toString();
    }

    private static byte[] encode(List<String> args, byte[] value, int malformed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String a : args) {
            out.writeBytes(a.getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        out.writeBytes(value);
        byte[] p = out.toByteArray();
        if (malformed == 1) {
            byte[] q = java.util.Arrays.copyOf(p, p.length + 2);
            q[p.length] = 'x';
            return q;
        }
        if (malformed == 2 && p.length > 1) {
            return java.util.Arrays.copyOf(p, p.length - 1);
        }
        return p;
    }

    private static Map<String, String> snapshot(ReferenceStore model) {
        Map<String, String> out = new TreeMap<>();
        model.forEach((p, n) -> out.put(p, describe(n.value(), n.perms(), n.children())));
        return out;
    }

    private static Map<String, String> snapshot(XsFixture fx) {
        Map<String, String> out = new TreeMap<>();
        ArrayList<String> paths = new ArrayList<>(List.of(NodePath.ROOT));
        ArrayList<Node> nodes = new ArrayList<>(List.of(fx.store.root()));
        while (!paths.isEmpty()) {
            String p = paths.removeLast();
            Node n = nodes.removeLast();
            List<String> names = n.children().names();
            out.put(p, describe(n.value(), n.perms().strings(), names));
            for (String name : names) {
                paths.add(NodePath.child(p, name));
                nodes.add(n.children().get(name));
            }
        }
        return out;
    }

    private static String describe(byte[] value, List<String> perms, List<String> children) {
        return DispatcherFuzzTest.show(value) + " " + perms + " " + children;
    }
}
