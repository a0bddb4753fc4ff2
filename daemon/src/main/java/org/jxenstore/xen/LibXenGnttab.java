package org.jxenstore.xen;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guest ring pages through libxengnttab (xengnttab.h, Xen 4.17): each guest's toolstack grants
 * its xenstore page as grant reference 1 (GNTTAB_RESERVED_XENSTORE), as C xenstored maps it.
 *
 * <p>Each mapping gets its own shared arena whose close unmaps the page, so a segment used after
 * {@link #unmap} throws {@link IllegalStateException} instead of touching unmapped memory.
 */
@SuppressWarnings("restricted") // native access is this package's job; the JVM runs with --enable-native-access
final class LibXenGnttab {
    static final int GNTTAB_RESERVED_XENSTORE = 1;
    static final long PAGE_SIZE = 4096;

    private static MethodHandle xengnttabOpen;
    private static MethodHandle xengnttabClose;
    private static MethodHandle xengnttabMapGrantRef;
    private static MethodHandle xengnttabUnmap;

    private static synchronized void link() throws XenException {
        if (xengnttabOpen != null) {
            return;
        }
        NativeLibraries.load("libxengnttab.so.1");
        // xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
        xengnttabOpen = NativeLibraries.functionWithErrno("xengnttab_open",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        xengnttabClose = NativeLibraries.function("xengnttab_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
        xengnttabMapGrantRef = NativeLibraries.functionWithErrno("xengnttab_map_grant_ref",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        // int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
        xengnttabUnmap = NativeLibraries.function("xengnttab_unmap",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    private final MemorySegment handle;
    /** The arena of each mapped page, by address. */
    private final Map<Long, Arena> mapped = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private LibXenGnttab(MemorySegment handle) {
        this.handle = handle;
    }

    /** {@code xengnttab_open(NULL, 0)}. */
    static LibXenGnttab open() throws XenException {
        link();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeLibraries.CALL_STATE);
            MemorySegment handle = (MemorySegment) xengnttabOpen.invokeExact(state, MemorySegment.NULL, 0);
            if (handle.equals(MemorySegment.NULL)) {
                throw new XenException("no Xen hypervisor: xengnttab_open failed: " + Posix.error(state));
            }
            return new LibXenGnttab(handle);
        } catch (XenException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    MemorySegment mapRing(int domid) throws XenException {
        if (closed) {
            throw new IllegalStateException("the grant table handle is closed");
        }
        MemorySegment page;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeLibraries.CALL_STATE);
            page = (MemorySegment) xengnttabMapGrantRef.invokeExact(state, handle, domid, GNTTAB_RESERVED_XENSTORE,
                    Posix.PROT_READ_WRITE);
            if (page.equals(MemorySegment.NULL)) {
                throw new XenException("mapping the xenstore ring of domain " + domid + " failed: "
                        + Posix.error(state));
            }
        } catch (XenException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
        Arena arena = Arena.ofShared();
        MemorySegment ring = page.reinterpret(PAGE_SIZE, arena, this::unmapNow);
        mapped.put(ring.address(), arena);
        return ring;
    }

    void unmap(MemorySegment ring) {
        Arena arena = mapped.remove(ring.address());
        if (arena != null) {
            arena.close(); // runs unmapNow
        }
    }

    private void unmapNow(MemorySegment page) {
        try {
            // fails only for an address that is not a grant mapping, which cannot happen here
            int ignored = (int) xengnttabUnmap.invokeExact(handle, page, 1);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }

    void close() {
        closed = true;
        for (Long address : mapped.keySet()) {
            Arena arena = mapped.remove(address);
            if (arena != null) {
                arena.close();
            }
        }
        try {
            int ignored = (int) xengnttabClose.invokeExact(handle);
        } catch (Throwable t) {
            throw NativeLibraries.unexpected(t);
        }
    }
}
