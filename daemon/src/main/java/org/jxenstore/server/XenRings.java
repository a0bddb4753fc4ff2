package org.jxenstore.server;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jxenstore.access.Caller;
import org.jxenstore.domain.DomainStates;
import org.jxenstore.domain.DomainTransport;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.jxenstore.ring.XenstoreRing;
import org.jxenstore.xen.Dom0Ring;
import org.jxenstore.xen.EventChannels;
import org.jxenstore.xen.Hypervisor;
import org.jxenstore.xen.XenException;

/**
 * Guest rings on a Xen host: maps each introduced domain's ring page, binds its event channel,
 * and feeds event-channel notifications to the event loop's {@link Agenda} from a thread of its
 * own (the only other thread in the daemon, which touches nothing else).
 */
final class XenRings implements DomainTransport, DomainStates, AutoCloseable {
    private final Hypervisor xen;
    private final EventChannels channels;
    private final Connections connections;
    private final Agenda agenda;
    private final DaemonLog log;
    private final int privDomid;
    private final int masterDomid;
    private final Map<Integer, Attached> byDomid = new HashMap<>();
    private final Thread pump;
    private volatile boolean running = true;
    /** Failing event channels stop the daemon: set before the pump starts. */
    private Consumer<IOException> onFailure;
    /** VIRQ_DOM_EXC's port, bound before the pump starts. */
    private volatile int virqPort = -1;

    /** One connected domain; its local port changes when the guest re-binds its channel. */
    private static final class Attached {
        final MemorySegment page;
        final boolean ownMapping;
        int port;

        Attached(MemorySegment page, boolean ownMapping, int port) {
            this.page = page;
            this.ownMapping = ownMapping;
            this.port = port;
        }
    }

    XenRings(Hypervisor xen, Connections connections, Agenda agenda, DaemonLog log, int masterDomid, int privDomid) {
        this.xen = xen;
        this.channels = xen.eventChannels();
        this.connections = connections;
        this.agenda = agenda;
        this.log = log;
        this.masterDomid = masterDomid;
        this.privDomid = privDomid;
        this.pump = new Thread(this::pumpEvents, "jxenstored-evtchn");
        pump.setDaemon(true);
    }

    /**
     * Binds VIRQ_DOM_EXC, connects dom0's own ring (from {@code /proc/xen/xsd_kva} and
     * {@code xsd_port}) and starts delivering events. Called before the event loop runs.
     *
     * @param onFailure told why, if the event channels fail: the daemon cannot go on
     */
    void start(int dom0Features, Consumer<IOException> onFailure) throws XenException {
        this.onFailure = onFailure;
        virqPort = channels.bindVirqDomExc();
        Dom0Ring dom0 = xen.dom0Ring();
        int port = channels.bindInterdomain(0, dom0.port());
        attach(0, dom0.page(), false, port, dom0Features);
        pump.start();
    }

    private void pumpEvents() {
        while (running) {
            try {
                int port = channels.awaitPending();
                if (port == virqPort) {
                    agenda.domainsChanged();
                } else if (port >= 0) {
                    agenda.portFired(port);
                }
            } catch (XenException | RuntimeException e) {
                // Without event channels no guest is served and no domain death is seen: stop
                // the daemon with the reason, so that it is restarted, rather than linger.
                if (running) {
                    onFailure.accept(new IOException("event channel failed: " + e.getMessage(), e));
                }
                return;
            }
        }
    }

    @Override
    public void connect(int domid, int remotePort, int features) throws XsException {
        Attached a = byDomid.get(domid);
        try {
            int port = channels.bindInterdomain(domid, remotePort);
            if (a != null) {
                channels.unbind(a.port);
                connections.rebindRing(a.port, port);
                a.port = port;
                return;
            }
            MemorySegment page;
            try {
                page = xen.mapRing(domid);
            } catch (XenException e) {
                channels.unbind(port);
                throw e;
            }
            attach(domid, page, true, port, features);
        } catch (XenException e) {
            log.warning("introduce dom" + domid + " failed: " + e.getMessage());
            throw new XsException(XsError.EINVAL);
        }
    }

    private void attach(int domid, MemorySegment page, boolean ownMapping, int port, int features) {
        XenstoreRing ring = new XenstoreRing(page);
        ring.setServerFeatures(features);
        Attached a = new Attached(page, ownMapping, port);
        byDomid.put(domid, a);
        boolean privileged = domid == privDomid || domid == masterDomid;
        RingTransport t = new RingTransport(domid, ring, () -> channels.notify(a.port));
        connections.attachRing(t, new Caller(domid, privileged), port);
    }

    @Override
    public void disconnect(int domid) {
        Attached a = byDomid.remove(domid);
        if (a == null) {
            return;
        }
        connections.detachRing(a.port);
        channels.unbind(a.port);
        if (a.ownMapping) {
            xen.unmapRing(a.page);
        }
    }

    @Override
    public boolean exists(int domid) {
        return state(domid).isPresent();
    }

    @Override
    public Optional<State> state(int domid) {
        try {
            return xen.domainState(domid).map(s -> new State(s.dying(), s.shutdown()));
        } catch (XenException e) {
            // Without an answer, keep the domain: releasing a live guest would cut it off.
            log.warning("domain state of dom" + domid + ": " + e.getMessage());
            return Optional.of(new State(false, false));
        }
    }

    @Override
    public void close() {
        running = false;
        channels.wakeup();
        xen.close();
    }
}
