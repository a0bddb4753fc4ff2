package org.jxenstore.xen;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The few libc calls the bindings need beyond the Xen libraries: open/read/close/mmap for
 * /proc/xen, poll and an eventfd for {@link EventChannels#awaitPending}. They are found in the
 * global scope like everything else (see {@link NativeLibraries}): {@code open} must be, so that
 * the test shim's {@code open("/proc/xen/xsd_kva")} is the one called, as in C xenstored.
 *
 * <p>Every call takes a {@link NativeLibraries#CALL_STATE} segment and returns the raw result;
 * the caller reads errno from the segment when the result says so.
 */
@SuppressWarnings("restricted") // native access is this package's job; the JVM runs with --enable-native-access
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

    private static final MethodHandle OPEN;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final MethodHandle CLOSE;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle POLL;
    private static final MethodHandle EVENTFD;
    private static final MethodHandle STRERROR;

    static {
        try {
            // open(const char *, int, ...): variadic from the third argument (mode)
            OPEN = NativeLibraries.function("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                    Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
            READ = NativeLibraries.functionWithErrno("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
            WRITE = NativeLibraries.functionWithErrno("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
            CLOSE = NativeLibraries.function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            MMAP = NativeLibraries.functionWithErrno("mmap",
                    FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
            MUNMAP = NativeLibraries.function("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
            POLL = NativeLibraries.functionWithErrno("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
            EVENTFD = NativeLibraries.functionWithErrno("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            STRERROR = NativeLibraries.function("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        } catch (XenException e) {
            // libc is always there; a missing libc function is a broken platform
            throw new ExceptionInInitializerError(e);
        }
    }

    private Posix() { }

    static int open(MemorySegment state, String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, 0);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buffer) {
        try {
            return (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buffer) {
        try {
            return (long) WRITE.invokeExact(state, fd, buffer, buffer.byteSize());
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    /** {@code mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)}; address -1 on failure. */
    static MemorySegment mmapShared(MemorySegment state, int fd, long length) {
        try {
            return (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, PROT_READ_WRITE, MAP_SHARED,
                    fd, 0L);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    static void munmap(MemorySegment address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(address, length);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    static int poll(MemorySegment state, MemorySegment pollfds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, pollfds, count, timeoutMillis);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    static int eventfd(MemorySegment state, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initial, flags);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    /** The text of an errno value, e.g. "No such file or directory". */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.equals(MemorySegment.NULL) ? "errno " + errno : text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    /** The text of the errno in a call state segment. */
    static String error(MemorySegment state) {
        return strerror(NativeLibraries.errno(state));
    }
}
