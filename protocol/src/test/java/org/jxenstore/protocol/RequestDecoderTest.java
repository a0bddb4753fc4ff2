package org.jxenstore.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How request payloads are read: C xenstored's rules, leniencies included. */
class RequestDecoderTest {

    private static byte[] raw(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Request decode(MessageType t, String payload) throws XsException {
        return RequestDecoder.decode(t, raw(payload));
    }

    private static XsError error(MessageType t, String payload) {
        return assertThrows(XsException.class, () -> decode(t, payload)).error();
    }

    // --- single-argument requests: exactly one NUL-terminated string ---

    @Test
    void readTakesOneNulTerminatedPath() throws XsException {
        assertEquals(new Request.Read("/a/b"), decode(MessageType.READ, "/a/b\0"));
    }

    @Test
    void singleArgumentWithoutNulIsEinval() {
        for (MessageType t : List.of(MessageType.READ, MessageType.DIRECTORY, MessageType.GET_PERMS,
                MessageType.MKDIR, MessageType.RM, MessageType.RELEASE, MessageType.GET_DOMAIN_PATH,
                MessageType.IS_DOMAIN_INTRODUCED, MessageType.RESUME)) {
            assertEquals(XsError.EINVAL, error(t, "/a"), t.name());
        }
    }

    @Test
    void singleArgumentWithTwoStringsIsEinval() {
        assertEquals(XsError.EINVAL, error(MessageType.READ, "/a\0/b\0"));
        assertEquals(XsError.EINVAL, error(MessageType.RM, "/a\0x"));
    }

    @Test
    void singleArgumentWithEmptyPayloadIsEinval() {
        assertEquals(XsError.EINVAL, error(MessageType.READ, ""));
        assertEquals(XsError.EINVAL, error(MessageType.GET_DOMAIN_PATH, ""));
    }

    @Test
    void emptyStringIsStillOneArgument() throws XsException {
        assertEquals(new Request.Read(""), decode(MessageType.READ, "\0"));
    }

    // --- WRITE ---

    @Test
    void writeSplitsAtFirstNulAndKeepsRawValueBytes() throws XsException {
        Request.Write w = assertInstanceOf(Request.Write.class, decode(MessageType.WRITE, "/a\0v\0al\0"));
        assertEquals("/a", w.path());
        assertArrayEquals(raw("v\0al\0"), w.value());
    }

    @Test
    void writeWithEmptyValue() throws XsException {
        Request.Write w = assertInstanceOf(Request.Write.class, decode(MessageType.WRITE, "/a\0"));
        assertEquals("/a", w.path());
        assertArrayEquals(new byte[0], w.value());
    }

    @Test
    void writeWithoutNulIsEinval() {
        assertEquals(XsError.EINVAL, error(MessageType.WRITE, "/a"));
        assertEquals(XsError.EINVAL, error(MessageType.WRITE, ""));
    }

    // --- WATCH / UNWATCH ---

    @Test
    void watchWithPathAndToken() throws XsException {
        assertEquals(new Request.Watch("/a", "tok", -1), decode(MessageType.WATCH, "/a\0tok\0"));
    }

    @Test
    void watchWithDepth() throws XsException {
        assertEquals(new Request.Watch("/a", "tok", 1), decode(MessageType.WATCH, "/a\0tok\0" + "1\0"));
        assertEquals(new Request.Watch("/a", "tok", 0), decode(MessageType.WATCH, "/a\0tok\0" + "0\0"));
    }

    @Test
    void watchNeedsTwoOrThreeNuls() {
        assertEquals(XsError.EINVAL, error(MessageType.WATCH, "/a\0"));
        assertEquals(XsError.EINVAL, error(MessageType.WATCH, "/a\0tok"));
        assertEquals(XsError.EINVAL, error(MessageType.WATCH, "/a\0tok\0" + "1\0x\0"));
        assertEquals(XsError.EINVAL, error(MessageType.WATCH, ""));
    }

    @Test
    void watchDepthMustBeADecimalNumber() {
        assertEquals(XsError.EINVAL, error(MessageType.WATCH, "/a\0tok\0x\0"));
        assertEquals(XsError.EINVAL, error(MessageType.WATCH, "/a\0tok\0-1\0"));
        assertEquals(XsError.EINVAL, error(MessageType.WATCH, "/a\0tok\0\0"));
    }

    @Test
    void unwatchNeedsExactlyPathAndToken() throws XsException {
        assertEquals(new Request.Unwatch("/a", "t"), decode(MessageType.UNWATCH, "/a\0t\0"));
        assertEquals(XsError.EINVAL, error(MessageType.UNWATCH, "/a\0"));
    }

    // --- SET_PERMS ---

    @Test
    void setPermsNeedsPathAndAtLeastOnePermission() throws XsException {
        assertEquals(new Request.SetPerms("/a", List.of("n0", "r5")), decode(MessageType.SET_PERMS, "/a\0n0\0r5\0"));
        assertEquals(new Request.SetPerms("/a", List.of("b3")), decode(MessageType.SET_PERMS, "/a\0b3\0"));
    }

    @Test
    void setPermsWithFewerThanTwoStringsIsEinval() {
        assertEquals(XsError.EINVAL, error(MessageType.SET_PERMS, "/a\0"));
        assertEquals(XsError.EINVAL, error(MessageType.SET_PERMS, "/a"));
        assertEquals(XsError.EINVAL, error(MessageType.SET_PERMS, "/a\0n0"));
    }

    // --- transactions ---

    @Test
    void transactionEndAcceptsOnlyTOrF() throws XsException {
        assertEquals(new Request.TransactionEnd(true), decode(MessageType.TRANSACTION_END, "T\0"));
        assertEquals(new Request.TransactionEnd(false), decode(MessageType.TRANSACTION_END, "F\0"));
        assertEquals(XsError.EINVAL, error(MessageType.TRANSACTION_END, "t\0"));
        assertEquals(XsError.EINVAL, error(MessageType.TRANSACTION_END, "TRUE\0"));
        assertEquals(XsError.EINVAL, error(MessageType.TRANSACTION_END, "\0"));
        assertEquals(XsError.EINVAL, error(MessageType.TRANSACTION_END, "T"));
    }

    @Test
    void transactionStartIgnoresItsPayload() throws XsException {
        assertEquals(new Request.TransactionStart(), decode(MessageType.TRANSACTION_START, "\0"));
    }

    // --- domids read with atoi ---

    @Test
    void domidIsReadWithAtoiSoGarbageMeansZero() throws XsException {
        assertEquals(new Request.GetDomainPath(0), decode(MessageType.GET_DOMAIN_PATH, "abc\0"));
        assertEquals(new Request.Release(0), decode(MessageType.RELEASE, "\0"));
    }

    @Test
    void atoiStopsAtTheFirstNonDigit() throws XsException {
        assertEquals(new Request.GetDomainPath(12), decode(MessageType.GET_DOMAIN_PATH, "12abc\0"));
        assertEquals(new Request.GetDomainPath(7), decode(MessageType.GET_DOMAIN_PATH, "  +7\0"));
        assertEquals(new Request.GetDomainPath(-3), decode(MessageType.GET_DOMAIN_PATH, "-3\0"));
    }

    @Test
    void atoiWrapsToThirtyTwoBitsAsGlibcDoes() {
        // (int) strtol(): C xenstored 4.17 answers GET_DOMAIN_PATH of these with domain 1,
        // 2147483648 and 4294967295 (printed unsigned).
        assertEquals(1, RequestDecoder.atoi("4294967297"));
        assertEquals(Integer.MIN_VALUE, RequestDecoder.atoi("2147483648"));
        assertEquals(-1, RequestDecoder.atoi("99999999999999999999999"));
        assertEquals(0, RequestDecoder.atoi("-99999999999999999999999"));
    }

    @Test
    void introduceNeedsThreeArguments() throws XsException {
        assertEquals(new Request.Introduce(5, 1234, 7), decode(MessageType.INTRODUCE, "5\0" + "1234\0" + "7\0"));
        assertEquals(XsError.EINVAL, error(MessageType.INTRODUCE, "5\0" + "1234\0"));
    }

    @Test
    void setTargetNeedsTwoArguments() throws XsException {
        assertEquals(new Request.SetTarget(5, 6), decode(MessageType.SET_TARGET, "5\0" + "6\0"));
        assertEquals(XsError.EINVAL, error(MessageType.SET_TARGET, "5\0"));
    }

    @Test
    void directoryPartTakesPathAndOffset() throws XsException {
        assertEquals(new Request.DirectoryPart("/a", 10), decode(MessageType.DIRECTORY_PART, "/a\0" + "10\0"));
        assertEquals(XsError.EINVAL, error(MessageType.DIRECTORY_PART, "/a\0"));
    }

    @Test
    void controlNeedsANonEmptyCommand() throws XsException {
        assertEquals(new Request.Control(List.of("check")), decode(MessageType.CONTROL, "check\0"));
        assertEquals(new Request.Control(List.of("quota", "set", "nodes", "5")),
                decode(MessageType.CONTROL, "quota\0set\0nodes\0" + "5\0"));
        assertEquals(XsError.EINVAL, error(MessageType.CONTROL, ""));
        assertEquals(XsError.EINVAL, error(MessageType.CONTROL, "\0"));
    }

    @Test
    void optionalArgumentRequestsAcceptEmptyPayloads() throws XsException {
        assertEquals(new Request.GetFeature(List.of()), decode(MessageType.GET_FEATURE, ""));
        assertEquals(new Request.GetQuota(List.of()), decode(MessageType.GET_QUOTA, ""));
        assertEquals(new Request.GetQuota(List.of("5", "nodes")), decode(MessageType.GET_QUOTA, "5\0nodes\0"));
        assertEquals(new Request.SetFeature(List.of("5", "4")), decode(MessageType.SET_FEATURE, "5\0" + "4\0"));
    }

    // --- types no client may send ---

    @Test
    void serverToClientTypesAndRestrictAreEnosys() {
        assertEquals(XsError.ENOSYS, error(MessageType.WATCH_EVENT, "/a\0t\0"));
        assertEquals(XsError.ENOSYS, error(MessageType.ERROR, "EINVAL\0"));
        assertEquals(XsError.ENOSYS, error(MessageType.RESTRICT, "5\0"));
    }

    @Test
    void unknownTypeIsEnosys() {
        assertEquals(XsError.ENOSYS, assertThrows(XsException.class,
                () -> RequestDecoder.decode(MessageType.fromCode(27), raw("x\0"))).error());
        assertEquals(XsError.ENOSYS, assertThrows(XsException.class,
                () -> RequestDecoder.decode(MessageType.fromCode(0xffff), raw(""))).error());
        assertEquals(XsError.ENOSYS, assertThrows(XsException.class,
                () -> RequestDecoder.decode(MessageType.fromCode(-1), raw(""))).error());
    }
}
