package org.jxenstore.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The one call shape against the C library's own functions: the facts of the ABI that {@link
 * NativeFunction} relies on, checked on the machine the tests run on.
 */
class NativeFunctionTest {
    private static final int EBADF = 9;

    @Test
    void anIntResultIsTheLowHalfOfTheResultRegister() {
        // int abs(int): a negative int travels as a long, and comes back narrowed
        assertEquals(5, (int) NativeFunction.libc("abs").call(-5));
        assertEquals(-1, (int) NativeFunction.libc("close").call(-1));
    }

    @Test
    void argumentsThatAFunctionDoesNotTakeAreIgnored() {
        // pid_t getpid(void)
        assertEquals(ProcessHandle.current().pid(), (int) NativeFunction.libc("getpid").call(7, 8, 9));
    }

    @Test
    void aPointerResultIsItsAddress() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocateFrom("jxenstore");
            // char *strchr(const char *s, int c)
            assertEquals(text.address() + 4, NativeFunction.libc("strchr").call(text.address(), 's'));
        }
    }

    @Test
    void theCallsErrnoIsCaptured() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(NativeFunction.CALL_STATE);
            assertEquals(-1, (int) NativeFunction.libc("close").call(state, -1));
            assertEquals(EBADF, NativeFunction.errno(state));
        }
    }

    @Test
    void aVariadicFunctionGetsItsArguments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(NativeFunction.CALL_STATE);
            MemorySegment buffer = arena.allocate(32);
            // int snprintf(char *str, size_t size, const char *format, ...)
            long written = NativeFunction.libc("snprintf").call(state, buffer.address(), buffer.byteSize(),
                    arena.allocateFrom("%d:%s").address(), -7, arena.allocateFrom("x").address(), 0);
            assertEquals(4, (int) written);
            assertEquals("-7:x", buffer.getString(0));
        }
    }

    @Test
    void aFunctionThatTheLibraryLacksIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> NativeFunction.libc("jxenstore_no_such_function"));
        assertTrue(e.getMessage().contains("jxenstore_no_such_function"), e.getMessage());
    }
}
