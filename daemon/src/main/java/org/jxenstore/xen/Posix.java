package org.jxenstore.xen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jxenstore.ffi.NativeFunction;

/**
 * The few libc calls the bindings need beyond the Xen libraries: open/read/close/mmap for
 * /proc/xen, poll and an eventfd for {@link EventChannels#awaitPending}. They are found in the
 * global scope like everything else (see {@link NativeLibraries}): {@code open} must be, so that
 * the test shim's {@code open("/proc/xen/xsd_kva")} is the one called, as in C xenstored.
 *
 * <p>The calls that can fail take a {@link NativeFunction#CALL_STATE} segment and return the raw
 * result; the caller reads errno from the segment when the result says so.
 */
final class Posix {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ_WRITE = 0x3; // PROT_READ | PROT_WRITE
    static final int MAP_SHARED = 0x1;
    static final long MAP_FAILED = -1L;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int POLLIN = 0x1;
    static final int POLLERR = 0x8;
    static final int POLLHUP = 0x10;
    static final int POLLNVAL = 0x20;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    /** {@code struct pollfd { int fd; short events; short revents; }}: 8 bytes. */
    static final long POLLFD_SIZE = 8;

    private static final NativeFunction OPEN;
    private static final NativeFunction READ;
    private static final NativeFunction WRITE;
    private static final NativeFunction CLOSE;
    private static final NativeFunction MMAP;
    private static final NativeFunction MUNMAP;
    private static final NativeFunction POLL;
    private static final NativeFunction EVENTFD;
    private static final NativeFunction STRERROR;

    static {
        try {
            OPEN = NativeLibraries.function("open");
            READ = NativeLibraries.function("read");
            WRITE = NativeLibraries.function("write");
            CLOSE = NativeLibraries.function("close");
            MMAP = NativeLibraries.function("mmap");
            MUNMAP = NativeLibraries.function("munmap");
            POLL = NativeLibraries.function("poll");
            EVENTFD = NativeLibraries.function("eventfd");
            STRERROR = NativeLibraries.function("strerror");
        } catch (XenException e) {
            // libc is always there; a missing libc function is a broken platform
            throw new ExceptionInInitializerError(e);
        }
    }

    private Posix() { }

    /** {@code open(path, flags)}: never with O_CREAT, so without a mode. */
    static int open(MemorySegment state, String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.call(state, arena.allocateFrom(path).address(), flags);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buffer) {
        return READ.call(state, fd, buffer.address(), buffer.byteSize());
    }

    static long write(MemorySegment state, int fd, MemorySegment buffer) {
        return WRITE.call(state, fd, buffer.address(), buffer.byteSize());
    }

    static void close(int fd) {
        CLOSE.call(fd);
    }

    /** {@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)}; address -1 on failure. */
    static MemorySegment mmapShared(MemorySegment state, int fd, long length) {
        return MemorySegment.ofAddress(MMAP.call(state, 0, length, PROT_READ_WRITE, MAP_SHARED, fd, 0));
    }

    static void munmap(MemorySegment address, long length) {
        MUNMAP.call(address.address(), length);
    }

    static int poll(MemorySegment state, MemorySegment pollfds, long count, int timeoutMillis) {
        return (int) POLL.call(state, pollfds.address(), count, timeoutMillis);
    }

    static int eventfd(MemorySegment state, int initial, int flags) {
        return (int) EVENTFD.call(state, initial, flags);
    }

    /** The text of an errno value, e.g. "No such file or directory". */
    static String strerror(int errno) {
        return NativeLibraries.text(STRERROR.call(errno), "errno " + errno, 1024);
    }

    /** The text of the errno in a call state segment. */
    static String error(MemorySegment state) {
        return strerror(NativeFunction.errno(state));
    }
}
