package org.jxenstore.it.differential;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A sequence of requests that a lockstep run can send again: the seed that chose the clients,
 * the prefix its paths were recorded under, then one request a line (tab-separated: its index
 * in the recorded run, client, message type, transaction id, index of the TRANSACTION_START that
 * opened its transaction or -1, payload in hex, and the request as a report shows it). Lines
 * starting with {@code #} are comments.
 */
record ReplayFile(long seed, String prefix, List<Lockstep.Played> steps) {

    void write(Path file, String why) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : why.strip().split("\n")) {
            sb.append("# ").append(line).append('\n');
        }
        sb.append("seed ").append(seed).append('\n').append("prefix ").append(prefix).append('\n');
        HexFormat hex = HexFormat.of();
        for (Lockstep.Played p : steps) {
            RequestGenerator.Request r = p.request();
            sb.append(p.index()).append('\t').append(p.client()).append('\t').append(r.type()).append('\t')
                    .append(Integer.toUnsignedString(r.txId())).append('\t').append(p.startedBy()).append('\t')
                    .append(hex.formatHex(r.payload())).append('\t').append(r.text()).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb);
    }

    static ReplayFile read(Path file) throws IOException {
        long seed = 0;
        String prefix = null;
        List<Lockstep.Played> steps = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("seed ")) {
                seed = Long.parseLong(line.substring(5).strip());
            } else if (line.startsWith("prefix ")) {
                prefix = line.substring(7).strip();
            } else {
                String[] f = line.split("\t", 7);
                if (f.length != 7) {
                    throw new IOException(file + ": not a replay line: " + line);
                }
                RequestGenerator.Request r = new RequestGenerator.Request(Integer.parseInt(f[2]),
                        Integer.parseUnsignedInt(f[3]), hex.parseHex(f[5]), f[6]);
                steps.add(new Lockstep.Played(Integer.parseInt(f[0]), Integer.parseInt(f[1]), r,
                        Integer.parseInt(f[4]), -1));
            }
        }
        if (prefix == null) {
            throw new IOException(file + ": no prefix line");
        }
        return new ReplayFile(seed, prefix, steps);
    }
}
