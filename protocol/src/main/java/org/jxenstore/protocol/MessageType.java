package org.jxenstore.protocol;

/**
 * The message types of {@code enum xsd_sockmsg_type} in xs_wire.h, with their wire codes.
 *
 * <p>Code 20 was XS_RESTRICT, removed from Xen in 2017; it stays reserved so that it can never
 * be mistaken for a valid request.
 */
public enum MessageType {
    CONTROL(0),
    DIRECTORY(1),
    READ(2),
    GET_PERMS(3),
    WATCH(4),
    UNWATCH(5),
    TRANSACTION_START(6),
    TRANSACTION_END(7),
    INTRODUCE(8),
    RELEASE(9),
    GET_DOMAIN_PATH(10),
    WRITE(11),
    MKDIR(12),
    RM(13),
    SET_PERMS(14),
    WATCH_EVENT(15),
    ERROR(16),
    IS_DOMAIN_INTRODUCED(17),
    RESUME(18),
    SET_TARGET(19),
    RESTRICT(20),
    RESET_WATCHES(21),
    DIRECTORY_PART(22),
    GET_FEATURE(23),
    SET_FEATURE(24),
    GET_QUOTA(25),
    SET_QUOTA(26);

    private static final MessageType[] BY_CODE = values();

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The type's number on the wire. */
    public int code() {
        return code;
    }

    /**
     * The type with the given wire code.
     *
     * @return the type, or {@code null} when the code names no type (the caller answers ENOSYS)
     */
    public static MessageType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
