package org.jxenstore.xen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jxenstore.ffi.NativeFunction;

/**
 * Loads native libraries and finds functions the way the dynamic linker does for a C program.
 *
 * <p>Libraries are loaded with {@code dlopen(soname, RTLD_NOW | RTLD_GLOBAL)} and every function,
 * libc's included, is found with {@code dlsym(RTLD_DEFAULT, name)}, i.e. in the process's global
 * scope, where an {@code LD_PRELOAD} interposer comes first. That is how C xenstored gets the test
 * shim's fake hypervisor (xenshim.c), and so do we. {@code SymbolLookup.libraryLookup} (and
 * {@code Linker.defaultLookup().find}) search one library's own dependency tree instead, which
 * would bypass the interposer: they are used here only to reach {@code dlopen}/{@code dlsym}.
 */
@SuppressWarnings("restricted") // native access is this package's job; the JVM runs with --enable-native-access
final class NativeLibraries {
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;
    /** glibc's {@code RTLD_DEFAULT}: the null handle. */
    private static final long RTLD_DEFAULT = 0;

    private static final NativeFunction DLOPEN = NativeFunction.libc("dlopen");
    private static final NativeFunction DLSYM = NativeFunction.libc("dlsym");
    private static final NativeFunction DLERROR = NativeFunction.libc("dlerror");

    private NativeLibraries() { }

    /**
     * {@code dlopen(soname, RTLD_NOW | RTLD_GLOBAL)}; the library's symbols join the global scope.
     *
     * @throws XenException with dlerror()'s text if it cannot be loaded
     */
    static void load(String soname) throws XenException {
        try (Arena arena = Arena.ofConfined()) {
            // never dlclose'd: the functions found in it live as long as the JVM
            if (DLOPEN.call(arena.allocateFrom(soname).address(), RTLD_NOW | RTLD_GLOBAL) == 0) {
                throw new XenException(dlerror(soname + ": cannot be loaded"));
            }
        }
    }

    /** The function {@code name}, found with {@code dlsym(RTLD_DEFAULT, name)}. */
    static NativeFunction function(String name) throws XenException {
        try (Arena arena = Arena.ofConfined()) {
            long address = DLSYM.call(RTLD_DEFAULT, arena.allocateFrom(name).address());
            if (address == 0) {
                throw new XenException(dlerror(name + ": symbol not found"));
            }
            return new NativeFunction(MemorySegment.ofAddress(address));
        }
    }

    private static String dlerror(String fallback) {
        return text(DLERROR.call(), fallback, Long.MAX_VALUE);
    }

    /** The NUL-terminated string at {@code address} (at most {@code limit} bytes), or the fallback for NULL. */
    static String text(long address, String fallback, long limit) {
        return address == 0 ? fallback : MemorySegment.ofAddress(address).reinterpret(limit).getString(0);
    }
}
