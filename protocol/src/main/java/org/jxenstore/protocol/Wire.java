package org.jxenstore.protocol;

/** Constants of xs_wire.h that both ends must agree on. */
public final class Wire {
    /** Largest payload of one message, in both directions. */
    public static final int PAYLOAD_MAX = 4096;
    /** Size of {@code struct xsd_sockmsg}. */
    public static final int HEADER_SIZE = 16;
    /** Longest absolute path the specification allows. */
    public static final int ABS_PATH_MAX = 3072;
    /** Longest relative path the specification allows. */
    public static final int REL_PATH_MAX = 2048;

    /** Server feature bits ({@code XENSTORE_SERVER_FEATURE_*}). */
    public static final int FEATURE_RECONNECTION = 1;
    public static final int FEATURE_ERROR = 2;
    public static final int FEATURE_WATCHDEPTH = 4;
    public static final int FEATURE_DOMID_ANY = 8;

    /** The domid that names "every domain" in an ACL entry (DOMID_ANY). */
    public static final int DOMID_ANY = 0x7FF5;
    /** DOMID_SELF: IS_DOMAIN_INTRODUCED of it is always true. */
    public static final int DOMID_SELF = 0x7FF0;

    private Wire() {
    }
}
