package org.jxenstore.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.quota.Quota;

/**
 * Opt-in metrics ({@code --metrics HOST:PORT}): OpenMetrics text at {@code /metrics}, served by
 * the Prometheus client library's HTTP server on the address given and no other. Requests and
 * quota refusals are counted as they happen, on the event loop's thread (the library's counters
 * are thread-safe); what the daemon holds is counted on that thread when a scrape asks for it.
 */
public final class DaemonMetrics implements AutoCloseable {
    private static final String PREFIX = "jxenstored_";

    private final Counter requests;
    private final Histogram durations;
    private final Counter quotaRejections;
    private final HTTPServer server;

    /**
     * @param counts      what the daemon holds, as counted on the event loop's thread (or the
     *                    last known counts if the loop does not answer in time)
     * @param journalSize the journal's size in octets, -1 without one
     */
    private DaemonMetrics(InetSocketAddress address, Supplier<StateCounts> counts, LongSupplier journalSize)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        requests = Counter.builder().name(PREFIX + "requests_total").help("Requests executed, by message type")
                .labelNames("type").register(registry);
        durations = Histogram.builder().name(PREFIX + "request_duration_seconds")
                .help("Time to execute a request, by message type").labelNames("type").register(registry);
        quotaRejections = Counter.builder().name(PREFIX + "quota_rejections_total")
                .help("Requests refused by a quota, by domain and quota").labelNames("domid", "quota")
                .register(registry);
        GaugeWithCallback.builder().name(PREFIX + "nodes").help("Nodes in the store")
                .callback(cb -> cb.call(counts.get().nodes())).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "watches").help("Registered watches")
                .callback(cb -> cb.call(counts.get().watches())).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "transactions").help("Open transactions")
                .callback(cb -> cb.call(counts.get().transactions())).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "connections").help("Client connections, by kind")
                .labelNames("kind").callback(cb -> {
                    StateCounts c = counts.get();
                    cb.call(c.ringConnections(), "ring");
                    cb.call(c.socketConnections(), "socket");
                }).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "domains").help("Introduced domains")
                .callback(cb -> cb.call(counts.get().domains())).register(registry);
        GaugeWithCallback.builder().name(PREFIX + "heap_used_bytes").help("Java heap in use")
                .callback(cb -> cb.call(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()))
                .register(registry);
        GaugeWithCallback.builder().name(PREFIX + "heap_max_bytes").help("Java heap limit")
                .callback(cb -> cb.call(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax()))
                .register(registry);
        GaugeWithCallback.builder().name(PREFIX + "journal_bytes").help("Size of the journal (-1: no journal)")
                .callback(cb -> cb.call(journalSize.getAsLong())).register(registry);
        server = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort()).registry(registry)
                .buildAndStart();
    }

    /**
     * Serves metrics on {@code address}.
     *
     * @throws IOException with a one-line reason if the address cannot be bound
     */
    public static DaemonMetrics serve(InetSocketAddress address, Supplier<StateCounts> counts,
            LongSupplier journalSize) throws IOException {
        try {
            return new DaemonMetrics(address, counts, journalSize);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + address.getHostString() + ":" + address.getPort()
                    + ": " + e.getMessage(), e);
        }
    }

    /** A request of {@code type} was executed in {@code nanos}. */
    public void requestDone(MessageType type, long nanos) {
        String name = type == null ? "UNKNOWN" : type.name();
        requests.labelValues(name).inc();
        durations.labelValues(name).observe(nanos / 1e9);
    }

    /** {@code domid}'s request was refused by quota {@code q}. */
    public void quotaRefused(int domid, Quota q) {
        quotaRejections.labelValues(Integer.toString(domid), q.wireName()).inc();
    }

    /** The port it serves on (the one given, or the one chosen for port 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
