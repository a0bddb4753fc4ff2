package org.jxenstore.xen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jxenstore.ffi.NativeFunction;

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

    private static NativeFunction xengnttabOpen;
    private static NativeFunction xengnttabClose;
    private static NativeFunction xengnttabMapGrantRef;
    private static NativeFunction xengnttabUnmap;

    private static synchronized void link() throws XenException {
        if (xengnttabOpen != null) {
            return;
        }
        NativeLibraries.load("libxengnttab.so.1");
        // xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
        xengnttabOpen = NativeLibraries.function("xengnttab_open");
        // int xengnttab_close(xengnttab_handle *xgt)
        xengnttabClose = NativeLibraries.function("xengnttab_close");
        // void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
        xengnttabMapGrantRef = NativeLibraries.function("xengnttab_map_grant_ref");
        // int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
        xengnttabUnmap = NativeLibraries.function("xengnttab_unmap");
    }

    private final long handle;
    /** The arena of each mapped page, by address. */
    private final Map<Long, Arena> mapped = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private LibXenGnttab(long handle) {
        this.handle = handle;
    }

    /** {@code xengnttab_open(NULL, 0)}. */
    static LibXenGnttab open() throws XenException {
        link();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeFunction.CALL_STATE);
            long handle = xengnttabOpen.call(state, 0, 0);
            if (handle == 0) {
                throw new XenException("no Xen hypervisor: xengnttab_open failed: " + Posix.error(state));
            }
            return new LibXenGnttab(handle);
        }
    }

    MemorySegment mapRing(int domid) throws XenException {
        if (closed) {
            throw new IllegalStateException("the grant table handle is closed");
        }
        long page;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeFunction.CALL_STATE);
            page = xengnttabMapGrantRef.call(state, handle, domid, GNTTAB_RESERVED_XENSTORE, Posix.PROT_READ_WRITE);
            if (page == 0) {
                throw new XenException("mapping the xenstore ring of domain " + domid + " failed: "
                        + Posix.error(state));
            }
        }
        Arena arena = Arena.ofShared();
        MemorySegment ring = MemorySegment.ofAddress(page).reinterpret(PAGE_SIZE, arena, this::unmapNow);
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
        // fails only for an address that is not a grant mapping, which cannot happen here
        xengnttabUnmap.call(handle, page.address(), 1);
    }

    void close() {
        closed = true;
        for (Long address : mapped.keySet()) {
            Arena arena = mapped.remove(address);
            if (arena != null) {
                arena.close();
            }
        }
        xengnttabClose.call(handle);
    }
}
