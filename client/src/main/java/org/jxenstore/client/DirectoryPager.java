package org.jxenstore.client;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * Assembles a child list from {@code DIRECTORY_PART} replies, following libxenstore's
 * {@code xs_directory_part()}: each reply is {@code gen|child|child|...|}, with an extra empty
 * string after the last chunk; the request offset is the byte length of the names received so
 * far; and if the generation differs from the first chunk's, the node changed between chunks,
 * so the listing starts over at offset 0.
 */
final class DirectoryPager {
    /**
     * How many times a listing may start over before giving up. libxenstore retries forever;
     * a bound keeps a node that never stops changing from hanging the caller.
     */
    static final int MAX_RESTARTS = 100;

    private final String path;
    private final List<String> children = new ArrayList<>();
    private String generation;
    private int offset;
    private int restarts;

    DirectoryPager(String path) {
        this.path = path;
    }

    /** The byte offset to ask for next. */
    int offset() {
        return offset;
    }

    /**
     * Takes one reply.
     *
     * @return true when the listing is complete and {@link #children()} holds it
     * @throws XsException {@code EAGAIN} after {@link #MAX_RESTARTS} restarts
     * @throws XsConnectionException if the reply is malformed or makes no progress
     */
    boolean accept(byte[] reply) throws XsException {
        List<String> parts = Payload.split(reply);
        if (parts.isEmpty() || !Payload.endsWithNul(reply)) {
            throw malformed(reply, "is not NUL-terminated strings");
        }
        String replyGeneration = parts.getFirst();
        if (generation != null && !generation.equals(replyGeneration)) {
            if (++restarts > MAX_RESTARTS) {
                throw new XsException(XsError.EAGAIN, "DIRECTORY_PART " + path
                        + ": node changed during each of " + MAX_RESTARTS + " listings");
            }
            generation = null;
            children.clear();
            offset = 0;
            return false;
        }
        generation = replyGeneration;
        List<String> names = parts.subList(1, parts.size());
        boolean last = !names.isEmpty() && names.getLast().isEmpty();
        if (last) {
            names = names.subList(0, names.size() - 1);
        }
        if (names.contains("")) {
            throw malformed(reply, "has an empty child name before the end");
        }
        if (!last && names.isEmpty()) {
            throw malformed(reply, "for offset " + offset + " has neither children nor the end marker");
        }
        for (String name : names) {
            children.add(name);
            // Names travel as ISO-8859-1, so characters and bytes are one to one.
            offset += name.length() + 1;
        }
        return last;
    }

    /** The children received so far; the whole list once {@link #accept} returned true. */
    List<String> children() {
        return List.copyOf(children);
    }

    private XsConnectionException malformed(byte[] reply, String problem) {
        return new XsConnectionException("DIRECTORY_PART " + path + ": reply " + problem + ": "
                + HexFormat.of().formatHex(reply, 0, Math.min(reply.length, 64)));
    }
}
