package org.jxenstore.domain;

import java.util.Optional;

/** What the hypervisor says about a domain, asked when VIRQ_DOM_EXC fires. */
public interface DomainStates {

    /** A domain's state as the hypervisor reports it. */
    record State(boolean dying, boolean shutdown) {
    }

    /** The domain's state, or empty if it no longer exists. */
    Optional<State> state(int domid);
}
