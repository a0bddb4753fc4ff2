package org.jxenstore.it.xen;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import org.jxenstore.xen.DomainState;
import org.jxenstore.xen.Dom0Ring;
import org.jxenstore.xen.EventChannels;
import org.jxenstore.xen.Hypervisor;
import org.jxenstore.xen.XenException;

/**
 * The child JVM of {@link ShimBindingsTest}: drives the Xen bindings, under the test shim, through
 * the steps the test checks, printing one line per result. Where it needs the test to act (send a
 * datagram), it prints a line and then blocks in {@code awaitPending}, so the test never has to
 * guess when to send.
 *
 * <p>With the argument {@code open-only}, it only tries {@link Hypervisor#open()} and prints the
 * outcome (for the run without the shim).
 */
public final class ShimBindingsMain {
    private ShimBindingsMain() { }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("open-only")) {
            try {
                Hypervisor.open().close();
                say("opened");
            } catch (XenException e) {
                say("XenException: " + e.getMessage());
            }
            return;
        }
        Hypervisor xen = Hypervisor.open();
        try {
            say("opened");
            EventChannels ev = xen.eventChannels();

            MemorySegment ring = xen.mapRing(7);
            ring.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x5a);
            ring.set(ValueLayout.JAVA_BYTE, 4095, (byte) 0xa5);
            say("mapped 7 size=" + ring.byteSize());

            Dom0Ring dom0 = xen.dom0Ring();
            dom0.page().set(ValueLayout.JAVA_BYTE, 1, (byte) 0x42);
            say("dom0 port=" + dom0.port() + " size=" + dom0.page().byteSize());

            int local = ev.bindInterdomain(7, 1);
            int virq = ev.bindVirqDomExc();
            say("bound local=" + local + " virq=" + virq);

            say("await guest-event");
            int p = ev.awaitPending();
            say("pending=" + p);
            ev.notify(local);
            say("notified");

            say("state7=" + describe(xen.domainState(7)));

            say("await shutdown-8");
            say("pending=" + ev.awaitPending());
            say("state8=" + describe(xen.domainState(8)));

            say("await destroy-7");
            say("pending=" + ev.awaitPending());
            say("state7=" + describe(xen.domainState(7)));

            // wakeup from another thread while this one waits (or before it waits: either way
            // the wait returns -1)
            Thread waker = Thread.ofPlatform().start(ev::wakeup);
            say("wakeup=" + ev.awaitPending());
            waker.join();

            ev.unbind(local);
            xen.unmapRing(ring);
            try {
                ring.get(ValueLayout.JAVA_BYTE, 0);
                say("unmapped ring still readable");
            } catch (IllegalStateException e) {
                say("unmapped ring closed");
            }

            // close while another thread is blocked waiting for events: the waiter gets -1, and
            // close does not fail (it waits for the waiter before it closes the fds it polls)
            int[] afterClose = {0};
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    afterClose[0] = ev.awaitPending();
                } catch (XenException e) {
                    afterClose[0] = -2;
                }
            });
            say("waiter in poll=" + blockedInPoll(waiter));
            xen.close();
            waiter.join();
            say("await across close=" + afterClose[0]);
        } finally {
            xen.close(); // a second close does nothing
        }
        say("closed");
    }

    /** Waits (10 s at most) until {@code t} is inside the poll(2) downcall of awaitPending. */
    private static boolean blockedInPoll(Thread t) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().equals("org.jxenstore.xen.Posix") && e.getMethodName().equals("poll")) {
                    return true;
                }
            }
            Thread.onSpinWait();
        }
        return false;
    }

    private static String describe(Optional<DomainState> state) {
        return state.map(s -> "present dying=" + s.dying() + " shutdown=" + s.shutdown()
                + " reason=" + s.shutdownReason()).orElse("absent");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
