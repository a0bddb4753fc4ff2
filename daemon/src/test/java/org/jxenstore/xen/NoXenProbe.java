package org.jxenstore.xen;

/**
 * Child JVM of {@link HypervisorOpenTest}: tries {@link Hypervisor#open()} and prints what
 * happened on one line, so the test sees the outcome even if the native code crashed the JVM.
 */
public final class NoXenProbe {
    private NoXenProbe() { }

    public static void main(String[] args) {
        try {
            Hypervisor.open().close();
            System.out.println("opened");
        } catch (XenException e) {
            System.out.println("XenException: " + e.getMessage());
        }
    }
}
