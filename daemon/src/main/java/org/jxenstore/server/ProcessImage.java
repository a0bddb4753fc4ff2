package org.jxenstore.server;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jxenstore.ffi.NativeFunction;

/**
 * Replaces the daemon's program with another in the same process (execve), as live update does:
 * the pid stays, and so do standard input, output and error and the descriptors named to it;
 * every other descriptor is closed by the exec. Descriptors are inherited or not by their close-on-exec flag, which the JDK leaves unset
 * on most of its own, so the flag is set on every descriptor first and then cleared on those
 * handed over.
 */
final class ProcessImage {
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int SIG_SETMASK = 2;

    private ProcessImage() {
    }

    /**
     * Executes {@code argv} in place of this process, keeping {@code keep} open. Returns only if
     * the exec failed.
     *
     * @throws IOException why the new program could not be started
     */
    static void exec(List<String> argv, Map<String, String> env, Set<Integer> keep) throws IOException {
        try {
            NativeFunction fcntl = NativeFunction.libc("fcntl");
            NativeFunction sigprocmask = NativeFunction.libc("sigprocmask");
            NativeFunction execve = NativeFunction.libc("execve");
            for (int fd : openDescriptors()) {
                int flags = (int) fcntl.call(fd, F_GETFD, 0);
                if (flags >= 0) {
                    boolean kept = fd <= 2 || keep.contains(fd);
                    int wanted = kept ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC;
                    int set = (int) fcntl.call(fd, F_SETFD, wanted);
                    if (set < 0 && kept) {
                        throw new IOException("descriptor " + fd + " cannot be kept open across exec");
                    }
                }
            }
            try (Arena arena = Arena.ofConfined()) {
                // The JVM blocks some signals in its threads; the mask survives exec.
                MemorySegment empty = arena.allocate(128);
                int unmasked = (int) sigprocmask.call(SIG_SETMASK, empty.address(), 0);
                if (unmasked < 0) {
                    throw new IOException("the signal mask cannot be cleared for the new program");
                }
                MemorySegment state = arena.allocate(NativeFunction.CALL_STATE);
                int rc = (int) execve.call(state, arena.allocateFrom(argv.getFirst()).address(),
                        strings(arena, argv).address(), strings(arena, env.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue()).toList()).address());
                throw new IOException("execve " + argv.getFirst() + " failed (rc " + rc + ", errno "
                        + NativeFunction.errno(state) + ")");
            }
        } catch (RuntimeException | LinkageError e) {
            throw new IOException("execve " + argv.getFirst() + ": " + e, e);
        }
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static List<Integer> openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .map(Integer::parseInt).toList();
        }
    }
}
