package org.jxenstore.xen;

import java.lang.foreign.MemorySegment;

/**
 * Dom0's own xenstore ring, which dom0's kernel sets up before any daemon runs.
 *
 * @param page the 4096-byte {@code struct xenstore_domain_interface}, mapped shared, read/write;
 *     valid until the {@link Hypervisor} is closed
 * @param port the event channel port dom0's kernel allocated for it, to bind with {@link
 *     EventChannels#bindInterdomain}(0, port)
 */
public record Dom0Ring(MemorySegment page, int port) { }
