package org.jxenstore.ffi;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * One C function of the process, called through the one downcall shape that every C call of the
 * daemon shares: six integer arguments, an integer result, and the call's errno captured.
 *
 * <p>Why one shape: the JVM makes a downcall stub (a class spun with its lambda forms, and native
 * code) for every distinct function descriptor, about 10 ms each when the JVM is cold, and an AOT
 * cache cannot hold them. With one descriptor per C prototype, binding Xen's libraries took about
 * 250 ms of a 450 ms start; with one shape, one stub serves every call.
 *
 * <p>Why it is sound: every function called so takes integers and pointers only, at most six,
 * and returns an integer, a pointer or nothing. On the LP64 ABIs that a Xen dom0 runs (x86-64
 * System V and AArch64), the first six integer arguments are passed in registers whatever their
 * C width; a callee reads only the registers of the arguments it declares, and the low 32 bits of
 * one that it declares {@code int} or {@code uint32_t}, so the arguments a function does not take
 * are ignored. An {@code int} result is the low half of the result register: callers narrow it
 * with a cast. A pointer is its address. On x86-64 the JVM passes the vector-register count in
 * {@code %al} for every downcall, so variadic functions ({@code open}) are called correctly too.
 */
@SuppressWarnings("restricted") // native access is this package's job; the JVM runs with --enable-native-access
public final class NativeFunction {
    /** Layout of the call state into which every call stores its errno (read it with {@link #errno}). */
    public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

    /** {@code (MemorySegment function, MemorySegment callState, long x 6) -> long}; null if {@link #DENIED}. */
    private static final MethodHandle CALL;
    /**
     * Why there is no {@link #CALL}: a JVM that denies native access. Every call throws it again,
     * so that callers see the reason rather than this class failing to initialize.
     */
    private static final IllegalCallerException DENIED;

    static {
        MethodHandle call = null;
        IllegalCallerException denied = null;
        try {
            call = Linker.nativeLinker().downcallHandle(
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                    Linker.Option.captureCallState("errno"));
        } catch (IllegalCallerException e) {
            denied = e;
        }
        CALL = call;
        DENIED = denied;
    }

    /**
     * Where the calls whose errno nobody reads store it. Threads may store into it at once: what
     * they store is never read.
     */
    private static final MemorySegment UNREAD_STATE = Arena.global().allocate(CALL_STATE);

    private final MemorySegment address;

    /** The function at {@code address}. */
    public NativeFunction(MemorySegment address) {
        this.address = address;
    }

    /**
     * The C library's function {@code name}.
     *
     * @throws IllegalStateException if the C library has no such function
     */
    public static NativeFunction libc(String name) {
        return new NativeFunction(Linker.nativeLinker().defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no " + name)));
    }

    /** The errno that a call stored in {@code callState}. */
    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** Calls the function with up to six arguments (those it does not take are ignored). */
    public long call(MemorySegment callState, long a, long b, long c, long d, long e, long f) {
        if (CALL == null) {
            throw new IllegalCallerException(DENIED.getMessage(), DENIED);
        }
        try {
            return (long) CALL.invokeExact(address, callState, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public long call(MemorySegment callState, long a, long b, long c, long d) {
        return call(callState, a, b, c, d, 0, 0);
    }

    public long call(MemorySegment callState, long a, long b, long c) {
        return call(callState, a, b, c, 0, 0, 0);
    }

    public long call(MemorySegment callState, long a, long b) {
        return call(callState, a, b, 0, 0, 0, 0);
    }

    public long call(MemorySegment callState, long a) {
        return call(callState, a, 0, 0, 0, 0, 0);
    }

    /** A call whose errno is not wanted. */
    public long call(long a, long b, long c) {
        return call(UNREAD_STATE, a, b, c, 0, 0, 0);
    }

    public long call(long a, long b) {
        return call(UNREAD_STATE, a, b, 0, 0, 0, 0);
    }

    public long call(long a) {
        return call(UNREAD_STATE, a, 0, 0, 0, 0, 0);
    }

    public long call() {
        return call(UNREAD_STATE, 0, 0, 0, 0, 0, 0);
    }

    /**
     * For the {@code catch (Throwable)} around {@code invokeExact}: a downcall throws nothing
     * checked, so whatever arrives there is an error or a bug, passed on unchecked.
     */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
