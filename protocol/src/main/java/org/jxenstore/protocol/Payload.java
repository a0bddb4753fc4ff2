package org.jxenstore.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Payloads are NUL-terminated strings, except values (the tail of a WRITE request, a READ reply),
 * which are raw bytes. These helpers build and split them.
 */
public final class Payload {
    public static final byte[] OK = strings("OK");
    public static final byte[] EMPTY = new byte[0];

    private Payload() {
    }

    /** Each string encoded as ISO-8859-1 (paths are ASCII) followed by a NUL. */
    public static byte[] strings(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String p : parts) {
            out.writeBytes(p.getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** Each string followed by a NUL. */
    public static byte[] strings(List<String> parts) {
        return strings(parts.toArray(String[]::new));
    }

    /** A NUL-terminated string followed by raw bytes (a WRITE request). */
    public static byte[] stringThenBytes(String head, byte[] tail) {
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[h.length + 1 + tail.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(tail, 0, out, h.length + 1, tail.length);
        return out;
    }

    /**
     * Splits a payload at NULs. Only NUL-terminated strings count: bytes after the last NUL are
     * left out.
     */
    public static List<String> split(byte[] payload) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                out.add(new String(payload, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return out;
    }

    /** Whether the bytes after the last NUL are empty, i.e. the payload ends with a NUL. */
    public static boolean endsWithNul(byte[] payload) {
        return payload.length > 0 && payload[payload.length - 1] == 0;
    }

    /** Index of the first NUL, or -1. */
    public static int firstNul(byte[] payload) {
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
