package org.jxenstore.xen;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import org.jxenstore.ffi.NativeFunction;

/**
 * Domain information through libxenctrl 4.17 ({@code xc_domain_getinfo}), which is how C
 * xenstored 4.17 learns whether a domain exists, is dying or has shut down.
 *
 * <p>The layout of {@code xc_dominfo_t} (xenctrl.h) is that of Debian's Xen 4.17 headers on
 * x86_64, as gcc 12 compiles it. It was obtained with a throw-away C program that included
 * xenctrl.h (with {@code __XEN_TOOLS__}) and printed {@code sizeof}, {@code offsetof}, and the
 * bytes set by assigning 1 to each bitfield of a zeroed struct:
 *
 * <ul>
 *   <li>{@code sizeof(xc_dominfo_t)} = 112, alignment 8;
 *   <li>{@code uint32_t domid} at offset 0;
 *   <li>the bitfields {@code unsigned int dying:1, crashed:1, shutdown:1, ...} share the
 *       {@code unsigned int} at offset 8: {@code dying} is bit 0 (byte 8 = 0x01), {@code
 *       shutdown} is bit 2 (byte 8 = 0x04) (the x86_64 SysV ABI allocates bitfields from the
 *       least significant bit);
 *   <li>{@code unsigned int shutdown_reason} at offset 12.
 * </ul>
 *
 * The library is loaded by its 4.17 soname only: Xen 4.18 removed {@code xc_domain_getinfo}.
 */
final class LibXenCtrl {
    static final long DOMINFO_SIZE = 112;
    static final long DOMINFO_ALIGN = 8;
    static final long DOMID_OFFSET = 0;
    static final long FLAGS_OFFSET = 8;
    static final int DYING_BIT = 1 << 0;
    static final int SHUTDOWN_BIT = 1 << 2;
    static final long SHUTDOWN_REASON_OFFSET = 12;

    private static NativeFunction xcInterfaceOpen;
    private static NativeFunction xcInterfaceClose;
    private static NativeFunction xcDomainGetinfo;

    private static synchronized void link() throws XenException {
        if (xcInterfaceOpen != null) {
            return;
        }
        NativeLibraries.load("libxenctrl.so.4.17");
        // xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
        //                                 unsigned open_flags)
        xcInterfaceOpen = NativeLibraries.function("xc_interface_open");
        // int xc_interface_close(xc_interface *xch)
        xcInterfaceClose = NativeLibraries.function("xc_interface_close");
        // int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
        //                       xc_dominfo_t *info)
        xcDomainGetinfo = NativeLibraries.function("xc_domain_getinfo");
    }

    private final long handle;

    private LibXenCtrl(long handle) {
        this.handle = handle;
    }

    /** {@code xc_interface_open(NULL, NULL, 0)}. */
    static LibXenCtrl open() throws XenException {
        link();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeFunction.CALL_STATE);
            long handle = xcInterfaceOpen.call(state, 0, 0, 0);
            if (handle == 0) {
                throw new XenException("no Xen hypervisor: xc_interface_open failed: " + Posix.error(state));
            }
            return new LibXenCtrl(handle);
        }
    }

    Optional<DomainState> domainState(int domid) throws XenException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(NativeFunction.CALL_STATE);
            MemorySegment info = a.allocate(DOMINFO_SIZE, DOMINFO_ALIGN);
            // returns the first max_doms domains with an id >= first_domid: domid itself only if
            // the count is 1 and the id matches (as C xenstored's get_domain_info checks)
            int count = (int) xcDomainGetinfo.call(state, handle, domid, 1, info.address());
            if (count < 0) {
                throw new XenException("xc_domain_getinfo for domain " + domid + " failed: " + Posix.error(state));
            }
            return count == 1 ? decode(domid, info) : Optional.empty();
        }
    }

    /** The state in an {@code xc_dominfo_t}, if it is about {@code domid}. */
    static Optional<DomainState> decode(int domid, MemorySegment info) {
        if (info.get(JAVA_INT, DOMID_OFFSET) != domid) {
            return Optional.empty();
        }
        int flags = info.get(JAVA_INT, FLAGS_OFFSET);
        return Optional.of(new DomainState(domid, (flags & DYING_BIT) != 0, (flags & SHUTDOWN_BIT) != 0,
                info.get(JAVA_INT, SHUTDOWN_REASON_OFFSET)));
    }

    void close() {
        xcInterfaceClose.call(handle);
    }
}
