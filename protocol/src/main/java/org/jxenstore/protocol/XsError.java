package org.jxenstore.protocol;

/**
 * The error names of {@code xsd_errors} in xs_wire.h, in their fixed order. The name, not a
 * number, travels on the wire as the payload of an {@link MessageType#ERROR} reply.
 */
public enum XsError {
    EINVAL, EACCES, EEXIST, EISDIR, ENOENT, ENOMEM, ENOSPC, EIO, ENOTEMPTY, ENOSYS, EROFS,
    EBUSY, EAGAIN, EISCONN, E2BIG, EPERM;

    /**
     * The error a received name stands for; like libxenstore, an unknown name means EINVAL.
     */
    public static XsError fromName(String name) {
        for (XsError e : values()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return EINVAL;
    }
}
