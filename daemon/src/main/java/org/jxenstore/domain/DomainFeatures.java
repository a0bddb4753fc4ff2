package org.jxenstore.domain;

import java.util.List;
import org.jxenstore.access.Caller;
import org.jxenstore.protocol.Decimal;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;

/**
 * The feature bits each domain is offered (Xen 4.22's GET_FEATURE and SET_FEATURE): everything
 * jxenstored supports unless the toolstack narrows a domain's set before introducing it.
 */
public final class DomainFeatures {
    private final DomainRegistry registry;

    public DomainFeatures(DomainRegistry registry) {
        this.registry = registry;
    }

    /** The feature bits that apply to a caller: all we support for privileged sockets. */
    public int of(Caller c) {
        if (c.privileged()) {
            return Domain.SUPPORTED_FEATURES;
        }
        return ofDomain(c.domid());
    }

    private int ofDomain(int domid) {
        Domain d = registry.find(domid);
        return d == null ? Domain.SUPPORTED_FEATURES : d.features();
    }

    /** GET_FEATURE: the caller's own bitmap, or (privileged) a domain's. */
    public int get(Caller c, List<String> args) throws XsException {
        if (args.isEmpty()) {
            return of(c);
        }
        if (!c.privileged()) {
            throw new XsException(XsError.EACCES);
        }
        return ofDomain((int) Decimal.parse(args.getFirst(), 0xFFFF));
    }

    /** SET_FEATURE domid value: only before INTRODUCE (EBUSY after), only bits we support. */
    public void set(List<String> args) throws XsException {
        if (args.size() != 2) {
            throw new XsException(XsError.EINVAL);
        }
        int domid = (int) Decimal.parse(args.get(0), 0xFFFF);
        long value = Decimal.parse(args.get(1), 0xFFFFFFFFL);
        if ((value & ~(long) Domain.SUPPORTED_FEATURES) != 0) {
            throw new XsException(XsError.EINVAL);
        }
        Domain d = registry.ensure(domid);
        if (d.introduced()) {
            throw new XsException(XsError.EBUSY);
        }
        d.setFeatures((int) value);
    }
}
