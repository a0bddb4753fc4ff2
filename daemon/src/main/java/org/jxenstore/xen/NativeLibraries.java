package org.jxenstore.xen;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

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
    private static final Linker LINKER = Linker.nativeLinker();
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;
    /** glibc's {@code RTLD_DEFAULT}: the null handle. */
    private static final MemorySegment RTLD_DEFAULT = MemorySegment.NULL;

    private static final MethodHandle DLOPEN;
    private static final MethodHandle DLSYM;
    private static final MethodHandle DLERROR;

    static {
        var libc = LINKER.defaultLookup();
        DLOPEN = LINKER.downcallHandle(libc.find("dlopen").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        DLSYM = LINKER.downcallHandle(libc.find("dlsym").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        DLERROR = LINKER.downcallHandle(libc.find("dlerror").orElseThrow(), FunctionDescriptor.of(ADDRESS));
    }

    /** Layout of the call state that handles made by {@link #functionWithErrno} capture. */
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

    private NativeLibraries() { }

    /**
     * {@code dlopen(soname, RTLD_NOW | RTLD_GLOBAL)}; the library's symbols join the global scope.
     *
     * @throws XenException with dlerror()'s text if it cannot be loaded
     */
    static void load(String soname) throws XenException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) DLOPEN.invokeExact(arena.allocateFrom(soname),
                    RTLD_NOW | RTLD_GLOBAL);
            if (handle.equals(MemorySegment.NULL)) {
                throw new XenException(dlerror(soname + ": cannot be loaded"));
            }
            // never dlclose'd: the handles made from it live as long as the JVM
        } catch (XenException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** A downcall to {@code name}, found with {@code dlsym(RTLD_DEFAULT, name)}. */
    static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options)
            throws XenException {
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /**
     * As {@link #function}, but the handle takes one more first argument, a segment of {@link
     * #CALL_STATE} into which it stores the call's {@code errno} (read it with {@link #errno}).
     * Capturing it in the downcall itself is the only reliable way: the JVM may overwrite errno
     * before a second downcall could read it.
     */
    static MethodHandle functionWithErrno(String name, FunctionDescriptor descriptor) throws XenException {
        return function(name, descriptor, Linker.Option.captureCallState("errno"));
    }

    /** The errno stored by a handle of {@link #functionWithErrno}. */
    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    private static MemorySegment symbol(String name) throws XenException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = (MemorySegment) DLSYM.invokeExact(RTLD_DEFAULT, arena.allocateFrom(name));
            if (address.equals(MemorySegment.NULL)) {
                throw new XenException(dlerror(name + ": symbol not found"));
            }
            return address;
        } catch (XenException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static String dlerror(String fallback) throws Throwable {
        MemorySegment text = (MemorySegment) DLERROR.invokeExact();
        return text.equals(MemorySegment.NULL) ? fallback : text.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /**
     * For the {@code catch (Throwable)} around {@code invokeExact}: a downcall throws nothing
     * checked, so whatever arrives there is an error or a bug, passed on unchecked.
     */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
