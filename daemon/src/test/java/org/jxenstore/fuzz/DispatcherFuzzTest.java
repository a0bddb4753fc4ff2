package org.jxenstore.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jxenstore.access.Caller;
import org.jxenstore.domain.DomainTransport;
import org.jxenstore.exec.Reply;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Request;
import org.jxenstore.protocol.RequestDecoder;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsException;

/**
 * The request dispatcher (the real {@link RequestDecoder} and {@code RequestExecutor}, wired by
 * {@link XsFixture}) under arbitrary well-framed requests from a privileged client and two or three
 * guests.
 *
 * <p>Input: a sequence of requests, each naming its sender, a type 0..30 (now and then 0xffff), a
 * tx id (0, one of the sender's open transactions, a small number, or anything), and a payload
 * assembled from path fragments, special names, digits, permission strings, command words, raw
 * strings and NULs (the last string sometimes unterminated).
 *
 * <p>Invariants: each request ends in exactly one reply, as the event loop makes it: a payload of
 * at most {@link Wire#PAYLOAD_MAX} bytes (E2BIG otherwise) or an {@link XsException} carrying an
 * error; no other exception escapes (the event loop would answer EIO and log an internal
 * error). After the sequence, and every 16 requests, CONTROL {@code check} reports a consistent
 * store and watch index ("OK...").
 *
 * <p>CONTROL {@code logfile} and {@code memreport <file>} are skipped: they write files named by
 * the input.
 */
class DispatcherFuzzTest {
    private static final String[] PATHS = {
        "/", "/local", "/local/domain", "/local/domain/", "/local/domain/1", "/local/domain/1/a",
        "/local/domain/1/a/b", "/local/domain/2", "/local/domain/2/x", "/local/domain/0", "/tool/xenstored",
        "/vm", "/vm/u", "/a", "/a/b", "/a/b/c", "a", "a/b", "data", "device/vif/0/state", "", "//", "/a/",
        "a//b", "/a b", "/local/domain/99999/x", "@introduceDomain", "@releaseDomain", "@releaseDomain/1",
        "@foo", "/foo@bar", "/\u00e9",
    };
    private static final String[] NUMBERS = {
        "0", "1", "2", "3", "-1", "65535", "65536", "32752", "4294967296", "abc", " 7", "+1", "99999999999", "",
    };
    private static final String[] PERMS = {
        "n0", "r0", "b0", "w0", "n1", "r1", "b1", "w1", "n2", "r2", "b2", "r32757", "x5", "r", "r-1",
        "r99999999999", "n", "b65535", "r00001",
    };
    private static final String[] WORDS = {
        "T", "F", "check", "help", "quota", "quota-soft", "set", "nodes", "watches", "memory", "transactions",
        "node-size", "path-max", "log", "on", "off", "print", "memreport", "live-update", "tok", "t1",
    };

    /** One connection of the fixture; closed when its domain is released. */
    private static final class Peer {
        final XsFixture.Client client;
        boolean closed;

        Peer(XsFixture.Client client) {
            this.client = client;
        }
    }

    @FuzzTest
    void dispatch(FuzzedDataProvider data) {
        List<Peer> peers = new ArrayList<>();
        // Releasing a domain drops its connection, as the ring transport does in the daemon.
        XsFixture fx = new XsFixture(new DomainTransport() {
            @Override
            public void connect(int domid, int remotePort, int features) {
            }

            @Override
            public void disconnect(int domid) {
                for (Peer p : peers) {
                    if (!p.closed && !p.client.caller().privileged() && p.client.caller().domid() == domid) {
                        p.closed = true;
                        p.client.close();
                    }
                }
            }

            @Override
            public boolean exists(int domid) {
                return DomainTransport.NONE.exists(domid);
            }
        });
        XsFixture.Client admin = fx.dom0();
        peers.add(new Peer(admin));
        peers.add(new Peer(fx.guest(1)));
        peers.add(new Peer(fx.guest(2)));
        if (data.consumeBoolean()) {
            // A guest connection whose domain was never introduced.
            peers.add(new Peer(fx.client(Caller.unprivileged(3))));
        }
        int n = 0;
        while (data.remainingBytes() > 0 && n < 256) {
            Peer p = peers.get(data.consumeInt(0, peers.size() - 1));
            int type = data.consumeInt(0, 31);
            if (type == 31) {
                type = 0xffff;
            }
            int tx = txId(data, p);
            byte[] payload = payload(data, type);
            if (p.closed) {
                continue;
            }
            n++;
            send(fx, p.client, type, tx, payload);
            if (n % 16 == 0) {
                assertConsistent(admin);
            }
        }
        assertConsistent(admin);
    }

    private static int txId(FuzzedDataProvider data, Peer p) {
        return switch (data.consumeInt(0, 5)) {
            case 0, 1 -> 0;
            case 2, 3 -> {
                List<Integer> open = new ArrayList<>(p.client.session.transactions().keySet());
                open.sort(null);
                yield open.isEmpty() ? 1 : open.get(data.consumeInt(0, open.size() - 1));
            }
            case 4 -> data.consumeInt(1, 4);
            default -> data.consumeInt();
        };
    }

    private static byte[] payload(FuzzedDataProvider data, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pieces = data.consumeInt(0, 5);
        for (int i = 0; i < pieces; i++) {
            String s = switch (data.consumeInt(0, 6)) {
                case 0, 1 -> data.pickValue(PATHS);
                case 2 -> data.pickValue(NUMBERS);
                case 3 -> data.pickValue(PERMS);
                case 4 -> data.pickValue(WORDS);
                case 5 -> data.consumeString(16);
                default -> data.pickValue(PATHS) + "/" + data.consumeAsciiString(8);
            };
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            boolean last = i == pieces - 1;
            if (!last || data.consumeInt(0, 3) != 0) {
                out.write(0);
            }
        }
        if (type == MessageType.WRITE.code() && data.consumeBoolean()) {
            // A raw value, which may hold NULs and be up to the whole payload.
            out.writeBytes(data.consumeBytes(data.consumeInt(0, Wire.PAYLOAD_MAX)));
        }
        byte[] p = out.toByteArray();
        return p.length > Wire.PAYLOAD_MAX ? java.util.Arrays.copyOf(p, Wire.PAYLOAD_MAX) : p;
    }

    /** What {@code EventLoop.process} does with one request, with its invariants checked. */
    static void send(XsFixture fx, XsFixture.Client c, int typeCode, int tx, byte[] payload) {
        MessageType type = MessageType.fromCode(typeCode);
        try {
            Request r = RequestDecoder.decode(type, payload);
            if (r instanceof Request.Control ctl && writesFiles(ctl.args())) {
                return;
            }
            Reply reply = fx.executor.execute(c.session, type, tx, payload);
            assertNotNull(reply, "null reply to " + type);
            assertNotNull(reply.payload(), "null reply payload to " + type);
            // A payload over the limit becomes E2BIG in the event loop: still one reply.
            if (reply.payload().length <= Wire.PAYLOAD_MAX && reply.initialEvent() != null) {
                var w = reply.initialEvent();
                c.deliver(w.eventPath(w.path()), w.token());
            }
        } catch (XsException e) {
            assertNotNull(e.error(), "XsException without an error for " + type);
        } catch (RuntimeException e) {
            throw new AssertionError("internal error (the daemon would answer EIO) on " + type + " tx " + tx
                    + " from " + c.caller() + " payload " + show(payload), e);
        }
    }

    private static boolean writesFiles(List<String> args) {
        String cmd = args.getFirst();
        return cmd.equals("logfile") || (cmd.equals("memreport") && args.size() > 1);
    }

    static void assertConsistent(XsFixture.Client admin) {
        String check = admin.control("check");
        assertTrue(check.startsWith("OK"), "CONTROL check: " + check);
        assertEquals(check, admin.control("check"), "check is not idempotent");
    }

    static String show(byte[] payload) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : payload) {
            int v = b & 0xff;
            if (v == 0) {
                sb.append("\\0");
            } else if (v < 0x20 || v >= 0x7f || v == '"' || v == '\\') {
                sb.append(String.format("\\x%02x", v));
            } else {
                sb.append((char) v);
            }
        }
        return sb.append('"').toString();
    }
}
