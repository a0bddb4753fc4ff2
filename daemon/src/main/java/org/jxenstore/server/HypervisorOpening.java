package org.jxenstore.server;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.jxenstore.xen.Hypervisor;

/**
 * {@link Hypervisor#open} on a thread of its own. Binding Xen's libraries takes about as long as
 * the rest of a start before the first reply (reading the state, binding the socket); with a
 * second CPU the two overlap, and a start, or a live update's downtime, is that much shorter.
 */
final class HypervisorOpening {
    private final FutureTask<Hypervisor> task = new FutureTask<>(Hypervisor::open);

    private HypervisorOpening() {
    }

    static HypervisorOpening begin() {
        HypervisorOpening opening = new HypervisorOpening();
        Thread.ofPlatform().name("jxenstored-xen-open").daemon().start(opening.task);
        return opening;
    }

    /** The open hypervisor, once it is. */
    Hypervisor await() throws IOException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
            throw new InterruptedIOException("interrupted while Xen's libraries were bound");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** For a start that fails before it takes the hypervisor: it is closed once it is open. */
    void abandon() {
        Thread.ofPlatform().name("jxenstored-xen-close").daemon().start(() -> {
            try {
                task.get().close();
            } catch (InterruptedException | ExecutionException e) {
                // Nothing was opened, or nothing is left to close it for.
            }
        });
    }
}
