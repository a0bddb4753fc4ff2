package org.jxenstore.xen;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;
import org.jxenstore.ffi.NativeFunction;

/**
 * Event channels through libxenevtchn (xenevtchn.h, Xen 4.17).
 *
 * <p>{@link #awaitPending} polls the library's fd together with an eventfd that {@link #wakeup}
 * writes to, so that shutdown can interrupt the wait without closing the fd under the poller.
 *
 * <p>Every library call except the poll is made under one lock. The real library needs none (its
 * calls are ioctls and reads on the fd), but the test shim keeps the bindings in a plain array that
 * {@code xenevtchn_pending} reads while {@code xenevtchn_bind_*} may grow it; the lock costs one
 * uncontended monitor per call and is never held while waiting.
 *
 * <p>{@link #close} may be called while another thread waits in {@link #awaitPending}: it wakes
 * the waiter and waits for it to leave before it closes the fds the waiter polls (closing them
 * under a poll could hand their numbers to new files while the poll still watches them).
 */
final class LibXenEvtchn implements EventChannels {
    private static final int VIRQ_DOM_EXC = 3;

    private static NativeFunction xenevtchnOpen;
    private static NativeFunction xenevtchnClose;
    private static NativeFunction xenevtchnFd;
    private static NativeFunction xenevtchnBindInterdomain;
    private static NativeFunction xenevtchnBindVirq;
    private static NativeFunction xenevtchnUnbind;
    private static NativeFunction xenevtchnNotify;
    private static NativeFunction xenevtchnPending;
    private static NativeFunction xenevtchnUnmask;

    private static synchronized void link() throws XenException {
        if (xenevtchnOpen != null) {
            return;
        }
        NativeLibraries.load("libxenevtchn.so.1");
        // xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned open_flags)
        xenevtchnOpen = NativeLibraries.function("xenevtchn_open");
        // int xenevtchn_close(xenevtchn_handle *xce); int xenevtchn_fd(xenevtchn_handle *xce)
        xenevtchnClose = NativeLibraries.function("xenevtchn_close");
        xenevtchnFd = NativeLibraries.function("xenevtchn_fd");
        // xenevtchn_port_or_error_t (int) ...(handle, uint32_t domid, evtchn_port_t remote_port)
        xenevtchnBindInterdomain = NativeLibraries.function("xenevtchn_bind_interdomain");
        // xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
        xenevtchnBindVirq = NativeLibraries.function("xenevtchn_bind_virq");
        // int xenevtchn_unbind/notify/unmask(xenevtchn_handle *xce, evtchn_port_t port)
        xenevtchnUnbind = NativeLibraries.function("xenevtchn_unbind");
        xenevtchnNotify = NativeLibraries.function("xenevtchn_notify");
        // xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
        xenevtchnPending = NativeLibraries.function("xenevtchn_pending");
        xenevtchnUnmask = NativeLibraries.function("xenevtchn_unmask");
    }

    private final Object lock = new Object();
    /** Held by the thread in {@link #awaitPending}, so that {@link #close} can wait for it to leave. */
    private final ReentrantLock awaiting = new ReentrantLock();
    private final long handle;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    /** errno of the calls made under {@link #lock}. */
    private final MemorySegment lockedState = arena.allocate(NativeFunction.CALL_STATE);
    /** Used only by the thread in {@link #awaitPending}: its errno, the two pollfds, the eventfd counter. */
    private final MemorySegment awaitState = arena.allocate(NativeFunction.CALL_STATE);
    private final MemorySegment pollFds = arena.allocate(2 * Posix.POLLFD_SIZE, 8);
    private final MemorySegment counter = arena.allocate(JAVA_LONG);
    private final MemorySegment one = arena.allocate(JAVA_LONG);
    private volatile boolean closed;

    private LibXenEvtchn(long handle, int wakeFd) {
        this.handle = handle;
        this.wakeFd = wakeFd;
        int evtchnFd = (int) xenevtchnFd.call(handle);
        pollFds.set(JAVA_INT, 0, evtchnFd);
        pollFds.set(JAVA_SHORT, 4, (short) Posix.POLLIN);
        pollFds.set(JAVA_INT, Posix.POLLFD_SIZE, wakeFd);
        pollFds.set(JAVA_SHORT, Posix.POLLFD_SIZE + 4, (short) Posix.POLLIN);
        one.set(JAVA_LONG, 0, 1L);
    }

    /** {@code xenevtchn_open(NULL, 0)} and the wakeup eventfd. */
    static LibXenEvtchn open() throws XenException {
        link();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeFunction.CALL_STATE);
            long handle = xenevtchnOpen.call(state, 0, 0);
            if (handle == 0) {
                // the real library opens /dev/xen/evtchn: ENOENT when this is not a Xen dom0
                throw new XenException("no Xen hypervisor: xenevtchn_open failed: " + Posix.error(state));
            }
            int wakeFd = Posix.eventfd(state, 0, Posix.EFD_CLOEXEC | Posix.EFD_NONBLOCK);
            if (wakeFd < 0) {
                String why = Posix.error(state);
                xenevtchnClose.call(handle);
                throw new XenException("eventfd failed: " + why);
            }
            return new LibXenEvtchn(handle, wakeFd);
        }
    }

    @Override
    public int bindInterdomain(int domid, int remotePort) throws XenException {
        synchronized (lock) {
            checkOpen();
            int port = (int) xenevtchnBindInterdomain.call(lockedState, handle, domid, remotePort);
            if (port < 0) {
                throw new XenException("binding to event channel " + remotePort + " of domain " + domid
                        + " failed: " + Posix.error(lockedState));
            }
            return port;
        }
    }

    @Override
    public int bindVirqDomExc() throws XenException {
        synchronized (lock) {
            checkOpen();
            int port = (int) xenevtchnBindVirq.call(lockedState, handle, VIRQ_DOM_EXC);
            if (port < 0) {
                throw new XenException("binding VIRQ_DOM_EXC failed: " + Posix.error(lockedState));
            }
            return port;
        }
    }

    @Override
    public void unbind(int localPort) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            xenevtchnUnbind.call(handle, localPort);
        }
    }

    @Override
    public void notify(int localPort) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            xenevtchnNotify.call(handle, localPort);
        }
    }

    @Override
    public int awaitPending() throws XenException {
        awaiting.lock();
        try {
            return awaitLocked();
        } finally {
            awaiting.unlock();
        }
    }

    private int awaitLocked() throws XenException {
        while (true) {
            if (closed) {
                return -1; // as after a wakeup: the caller's loop is shutting down
            }
            // revents are outputs; clear them so a stale value is never read
            pollFds.set(JAVA_SHORT, 6, (short) 0);
            pollFds.set(JAVA_SHORT, Posix.POLLFD_SIZE + 6, (short) 0);
            int n = Posix.poll(awaitState, pollFds, 2, -1);
            if (n < 0) {
                if (NativeFunction.errno(awaitState) == Posix.EINTR) {
                    continue;
                }
                throw new XenException("poll on the event channel failed: " + Posix.error(awaitState));
            }
            if (pollFds.get(JAVA_SHORT, Posix.POLLFD_SIZE + 6) != 0) {
                // reading an eventfd returns its counter and resets it: all wakeups so far count once
                Posix.read(awaitState, wakeFd, counter);
                return -1;
            }
            short revents = pollFds.get(JAVA_SHORT, 6);
            if ((revents & (Posix.POLLERR | Posix.POLLHUP | Posix.POLLNVAL)) != 0) {
                throw new XenException("the event channel fd failed (poll revents 0x"
                        + Integer.toHexString(revents & 0xffff) + ")");
            }
            if ((revents & Posix.POLLIN) != 0) {
                synchronized (lock) {
                    if (closed) {
                        return -1;
                    }
                    int port = (int) xenevtchnPending.call(awaitState, handle);
                    if (port >= 0) {
                        // the event is masked until unmasked: unmask before the caller looks at
                        // the ring, so that an event raised meanwhile is not lost
                        xenevtchnUnmask.call(handle, port);
                        return port;
                    }
                    int errno = NativeFunction.errno(awaitState);
                    if (errno != Posix.EINTR && errno != Posix.EAGAIN) {
                        throw new XenException("xenevtchn_pending failed: " + Posix.strerror(errno));
                    }
                }
            }
        }
    }

    @Override
    public void wakeup() {
        synchronized (lock) {
            if (!closed) {
                // the eventfd is non-blocking: at its (unreachable) maximum a write fails, and a
                // wakeup is pending anyway
                Posix.write(lockedState, wakeFd, one);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the event channels are closed");
        }
    }

    /**
     * Closes the library handle (which unbinds every port) and the eventfd, once a thread waiting
     * in {@link #awaitPending} has been woken and has left it; from then on awaitPending returns -1.
     */
    void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            Posix.write(lockedState, wakeFd, one);
        }
        awaiting.lock();
        try {
            synchronized (lock) {
                xenevtchnClose.call(handle);
                Posix.close(wakeFd);
            }
            arena.close();
        } finally {
            awaiting.unlock();
        }
    }
}
