package org.jxenstore.xen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.jxenstore.ffi.NativeFunction;

/**
 * Dom0's own ring, set up by dom0's kernel (xenfs): {@code /proc/xen/xsd_kva} is mmap'ed to get
 * the page and {@code /proc/xen/xsd_port} holds the event channel port in decimal, as C
 * xenstored 4.17 reads them ({@code xenbus_map}, {@code xenbus_evtchn}).
 *
 * <p>Both files are opened with libc's {@code open} found in the global scope and the page is
 * mapped with {@code mmap}, not with {@code FileChannel}: xenfs reports a size of 0 for xsd_kva,
 * so {@code FileChannel.map} would try to grow the file; and under the test shim, which fakes
 * these two files in its {@code open}, the call must reach the shim.
 */
@SuppressWarnings("restricted") // native access is this package's job; the JVM runs with --enable-native-access
final class Dom0Interface {
    static final String KVA = "/proc/xen/xsd_kva";
    static final String PORT = "/proc/xen/xsd_port";
    static final long PAGE_SIZE = 4096;

    private Dom0Interface() { }

    /** Maps dom0's page; it stays mapped until {@code arena} is closed. */
    static MemorySegment mapPage(Arena arena) throws XenException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeFunction.CALL_STATE);
            int fd = Posix.open(state, KVA, Posix.O_RDWR | Posix.O_CLOEXEC);
            if (fd < 0) {
                throw new XenException("cannot open " + KVA + ": " + Posix.error(state));
            }
            try {
                MemorySegment page = Posix.mmapShared(state, fd, PAGE_SIZE);
                if (page.address() == Posix.MAP_FAILED) {
                    throw new XenException("cannot mmap " + KVA + ": " + Posix.error(state));
                }
                return page.reinterpret(PAGE_SIZE, arena, p -> Posix.munmap(p, PAGE_SIZE));
            } finally {
                Posix.close(fd); // the mapping keeps its own reference to the file
            }
        }
    }

    /** The port in {@code /proc/xen/xsd_port}. */
    static int readPort() throws XenException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeFunction.CALL_STATE);
            int fd = Posix.open(state, PORT, Posix.O_RDONLY | Posix.O_CLOEXEC);
            if (fd < 0) {
                throw new XenException("cannot open " + PORT + ": " + Posix.error(state));
            }
            try {
                MemorySegment buffer = a.allocate(32);
                long n = Posix.read(state, fd, buffer);
                if (n < 0) {
                    throw new XenException("cannot read " + PORT + ": " + Posix.error(state));
                }
                return parsePort(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.US_ASCII));
            } finally {
                Posix.close(fd);
            }
        }
    }

    /** The decimal port number in the file's text (surrounding whitespace allowed). */
    static int parsePort(String text) throws XenException {
        String t = text.strip();
        try {
            int port = Integer.parseInt(t);
            if (port <= 0) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new XenException(PORT + " does not hold a port number: \"" + t + "\"");
        }
    }
}
