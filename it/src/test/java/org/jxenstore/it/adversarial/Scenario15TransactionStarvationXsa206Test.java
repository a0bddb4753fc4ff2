package org.jxenstore.it.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.jxenstore.client.Transaction;
import org.jxenstore.client.XsClient;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * Scenario 15 (XSA-206): guest 151 rewrites {@code /local/domain/151/status} in a tight loop
 * (8 pipelined writes at a time) while dom0 runs 40 read-modify-write transactions: read the
 * guest's status, read a counter and 100 configuration nodes (a toolstack transaction's work,
 * which keeps the window open for the guest's writes), write counter+1 and the status it saw,
 * commit; EAGAIN → start over. Every dom0 transaction must commit within {@value #MAX_RETRIES} retries, the counter must
 * end exactly at 40 (no lost update), and the guest must really have been writing throughout
 * (its status changed during the loop). The measured retry counts are printed
 * ({@code XSA-206 retries: ...}) for the report. Script: {@code s15_starvation.py}.
 *
 * <p>Checked against jxenstored before its XSA-206 mechanism (commit 67b7603): the first dom0
 * transaction exceeds 50 retries. With it (guests held back while a starved privileged client
 * retries): at most 1 retry.
 *
 * <p>Would catch: XSA-206 (a guest's write stream makes the toolstack's transactions fail
 * forever: without C's write-rate limit for unprivileged domains while transactions are open, or
 * oxenstored's conflict-credit, a dom0 transaction that reads a node the guest keeps rewriting
 * can retry without bound).
 */
class Scenario15TransactionStarvationXsa206Test extends Scenario01To15Support {
    private static final int GUEST = 151;
    private static final int TRANSACTIONS = 40;
    private static final int MAX_RETRIES = 50;
    /** Nodes a dom0 transaction reads between the guest's node and its commit (a toolstack's work). */
    private static final int CONFIG_READS = 100;

    @Override
    protected int bystander() {
        return 215;
    }

    @Test
    void dom0TransactionsCommitWithinBoundedRetries() throws Exception {
        Map<String, Long> before = baseline();
        Path stop = fx.daemon().dir().resolve("s15-stop");
        Files.deleteIfExists(stop);
        ProcessBuilder pb = new ProcessBuilder("python3", "-B",
                AdversarialFixture.resource("s15_starvation.py").toString(), fx.daemon().tools().shared().toString(),
                fx.daemon().dir().toString(), "writer", Integer.toString(GUEST), stop.toString());
        pb.redirectErrorStream(true);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process writer = pb.start();
        List<String> out = new ArrayList<>();
        List<Integer> retries = new ArrayList<>();
        String statusBefore;
        String statusAfter;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && !line.startsWith("STEP started")) {
                out.add(line);
            }
            assertTrue(line != null, "the guest writer did not start: " + out + "\n" + fx.daemon().logTail());
            String home = "/local/domain/" + GUEST;
            try (XsClient c = fx.dom0()) {
                c.write("/adv15/counter", ascii("0"));
                for (int k = 0; k < CONFIG_READS; k++) {
                    c.write("/adv15/cfg/k" + k, ascii(Integer.toString(k)));
                }
                statusBefore = text(c.read(home + "/status"));
                for (int i = 0; i < TRANSACTIONS; i++) {
                    int attempt = 0;
                    while (true) {
                        Transaction t = c.begin();
                        String status = text(t.read(home + "/status"));
                        int n = Integer.parseInt(text(t.read("/adv15/counter")));
                        for (int k = 0; k < CONFIG_READS; k++) {
                            t.read("/adv15/cfg/k" + k);
                        }
                        t.write("/adv15/counter", ascii(Integer.toString(n + 1)));
                        t.write("/adv15/seen", ascii(status));
                        try {
                            t.commit();
                            break;
                        } catch (XsException e) {
                            if (e.error() != XsError.EAGAIN) {
                                throw e;
                            }
                        }
                        attempt++;
                        if (attempt > MAX_RETRIES) {
                            break;
                        }
                    }
                    retries.add(attempt);
                    if (attempt > MAX_RETRIES) {
                        break; // starved: no point going on
                    }
                }
                statusAfter = text(c.read(home + "/status"));
                assertServed();
                Files.writeString(stop, "stop");
                assertEquals(Integer.toString(retries.stream().filter(x -> x <= MAX_RETRIES).mapToInt(x -> 1).sum()),
                        text(c.read("/adv15/counter")), "committed transactions vs counter");
            }
            while ((line = r.readLine()) != null) {
                out.add(line);
            }
        } finally {
            Files.writeString(stop, "stop");
            if (!writer.waitFor(30, TimeUnit.SECONDS)) {
                writer.destroyForcibly();
            }
        }
        int max = retries.stream().mapToInt(Integer::intValue).max().orElse(0);
        int total = retries.stream().mapToInt(Integer::intValue).sum();
        System.out.println("XSA-206 retries: per transaction " + retries + " max " + max + " total " + total
                + "; guest status " + statusBefore + " -> " + statusAfter + "; writer " + out);
        assertTrue(!statusBefore.equals(statusAfter), "the guest was not writing during the loop");
        assertTrue(out.contains("STEP errors 0"), "the guest's writes failed: " + out);
        assertTrue(max <= MAX_RETRIES, "a dom0 transaction needed " + max + " retries (> " + MAX_RETRIES
                + "): starved by the guest's writes; per transaction " + retries);
        destroy(GUEST);
        rmQuietly("/adv15");
        assertRecovered(before);
    }
}
