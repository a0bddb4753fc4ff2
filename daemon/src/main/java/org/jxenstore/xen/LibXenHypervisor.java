package org.jxenstore.xen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link Hypervisor} on Xen's libraries: event channels, grant mapping, domain info, dom0's ring. */
final class LibXenHypervisor implements Hypervisor {
    private final LibXenEvtchn evtchn;
    private final LibXenGnttab gnttab;
    private final LibXenCtrl ctrl;
    /** Owns the dom0 page mappings: they live as long as the handles. */
    private final Arena dom0Arena = Arena.ofShared();
    private final AtomicBoolean closed = new AtomicBoolean();

    private LibXenHypervisor(LibXenEvtchn evtchn, LibXenGnttab gnttab, LibXenCtrl ctrl) {
        this.evtchn = evtchn;
        this.gnttab = gnttab;
        this.ctrl = ctrl;
    }

    static Hypervisor open() throws XenException {
        try {
            // event channels first: without /dev/xen/evtchn this fails quietly, whereas a failing
            // xc_interface_open prints its own error lines on stderr
            LibXenEvtchn evtchn = LibXenEvtchn.open();
            LibXenGnttab gnttab = null;
            try {
                gnttab = LibXenGnttab.open();
                return new LibXenHypervisor(evtchn, gnttab, LibXenCtrl.open());
            } catch (XenException | RuntimeException | Error e) {
                if (gnttab != null) {
                    gnttab.close();
                }
                evtchn.close();
                throw e;
            }
        } catch (XenException e) {
            if (e.getMessage().startsWith("no Xen hypervisor")) {
                throw e;
            }
            throw new XenException("no Xen hypervisor: " + e.getMessage(), e);
        } catch (IllegalCallerException e) {
            // java --illegal-native-access=deny without --enable-native-access
            throw new XenException("no access to Xen's libraries: run java with --enable-native-access=ALL-UNNAMED", e);
        }
    }

    @Override
    public EventChannels eventChannels() {
        return evtchn;
    }

    @Override
    public MemorySegment mapRing(int domid) throws XenException {
        checkOpen();
        return gnttab.mapRing(domid);
    }

    @Override
    public void unmapRing(MemorySegment ring) {
        gnttab.unmap(ring);
    }

    @Override
    public Optional<DomainState> domainState(int domid) throws XenException {
        checkOpen();
        return ctrl.domainState(domid);
    }

    @Override
    public Dom0Ring dom0Ring() throws XenException {
        checkOpen();
        int port = Dom0Interface.readPort();
        return new Dom0Ring(Dom0Interface.mapPage(dom0Arena), port);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the hypervisor handles are closed");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // event channels first: that stops the event thread before the rings go away; every step
        // runs even if an earlier one failed
        RuntimeException failure = null;
        for (Runnable step : List.<Runnable>of(evtchn::close, gnttab::close, dom0Arena::close, ctrl::close)) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
