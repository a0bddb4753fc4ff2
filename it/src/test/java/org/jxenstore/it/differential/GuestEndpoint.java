package org.jxenstore.it.differential;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jxenstore.protocol.Message;

/**
 * A guest domain on its ring, under the fake-hypervisor shim: a {@code guest_bridge.py} process
 * (test resource) that introduces the domain as a toolstack does and relays requests over the
 * ring with the shared guest simulator ({@code peers/xsguest.py}).
 */
final class GuestEndpoint implements Endpoint {
    private static final long TIMEOUT_SECONDS = 30;

    private final Process process;
    private final Writer requests;
    /** Lines the bridge printed; it prints a bounded number per request. */
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);

    private GuestEndpoint(Process process) {
        this.process = process;
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        Thread reader = new Thread(this::readLines, "guest-bridge-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Introduces domain {@code domid} on the daemon of {@code daemonDir} and attaches to its ring. */
    static GuestEndpoint start(Path bridge, Path shared, Path daemonDir, int domid) throws IOException {
        Process p = new ProcessBuilder("python3", "-B", bridge.toString(), shared.toString(), daemonDir.toString(),
                Integer.toString(domid)).redirectErrorStream(true).start();
        GuestEndpoint e = new GuestEndpoint(p);
        String first = e.nextLine();
        if (!"READY".equals(first)) {
            e.close();
            throw new IOException("guest bridge for dom" + domid + " did not start: " + first + e.rest());
        }
        return e;
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.put(line);
            }
        } catch (IOException | InterruptedException e) {
            // The bridge is gone: the next call finds no answer.
        }
    }

    private String nextLine() throws IOException {
        try {
            String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line == null) {
                throw new IOException("guest bridge: no answer within " + TIMEOUT_SECONDS + " s");
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** What else the bridge printed, such as the rest of a Python traceback, for an error report. */
    private String rest() {
        StringBuilder sb = new StringBuilder();
        try {
            for (String line; (line = lines.poll(1, TimeUnit.SECONDS)) != null; ) {
                sb.append('\n').append(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sb.toString();
    }

    @Override
    public List<Message> call(Message request) throws IOException {
        requests.write("CALL " + request.type() + " " + Integer.toUnsignedString(request.txId()) + " "
                + HexFormat.of().formatHex(request.payload()) + "\n");
        requests.flush();
        List<Message> arrived = new ArrayList<>();
        while (true) {
            String line = nextLine();
            if (line.equals("END")) {
                return arrived;
            }
            if (line.equals("NOREPLY")) {
                return arrived;
            }
            String[] f = line.split(" ", -1);
            if (f.length == 4 && f[0].equals("MSG")) {
                arrived.add(new Message(Integer.parseInt(f[1]), 0, Integer.parseUnsignedInt(f[2]),
                        HexFormat.of().parseHex(f[3])));
            } else {
                throw new IOException("guest bridge: " + line + rest());
            }
        }
    }

    /** A guest's connection is its ring: the daemon may stop serving it, never close it. */
    @Override
    public boolean closed() {
        return false;
    }

    @Override
    public void close() throws IOException {
        requests.close();
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
