package org.jxenstore.xen;

/**
 * What the hypervisor says about an existing domain ({@code xc_dominfo_t}).
 *
 * @param shutdownReason {@code SHUTDOWN_*} of xen/sched.h (0 poweroff, 1 reboot, 2 suspend, 3
 *     crash, 4 watchdog, 5 soft_reset); meaningful only if {@code shutdown}
 */
public record DomainState(int domid, boolean dying, boolean shutdown, int shutdownReason) { }
