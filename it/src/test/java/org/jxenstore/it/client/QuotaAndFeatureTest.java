package org.jxenstore.it.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jxenstore.client.XsClient;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Payload;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.junit.jupiter.api.Test;

/** GET/SET_QUOTA, GET/SET_FEATURE (Xen 4.22) and CONTROL {@code quota}, over the socket. */
class QuotaAndFeatureTest extends DaemonClientTest {

    /** Sends a request and returns its reply's single NUL-terminated string. */
    private String ask(MessageType type, String... args) throws XsException {
        Message reply = xs.request(type, 0, Payload.strings(args));
        assertEquals(type.code(), reply.type());
        assertTrue(Payload.endsWithNul(reply.payload()), "reply ends with NUL");
        List<String> parts = Payload.split(reply.payload());
        assertEquals(1, parts.size(), parts.toString());
        return parts.getFirst();
    }

    private static void assertFails(XsError expected, org.junit.jupiter.api.function.Executable call) {
        XsException e = assertThrows(XsException.class, call);
        assertEquals(expected, e.error(), e.getMessage());
    }

    @Test
    void getQuotaWithoutArgumentsListsEveryQuotaName() throws Exception {
        String names = ask(MessageType.GET_QUOTA);
        assertEquals(Set.of("nodes", "watches", "transactions", "outstanding", "transaction-nodes", "memory",
                "node-size", "path-max", "node-permissions", "soft-memory"),
                Set.copyOf(Arrays.asList(names.split(" "))), names);
    }

    @Test
    void getQuotaNodesIsTheDefaultThousand() throws Exception {
        assertEquals("1000", ask(MessageType.GET_QUOTA, "nodes"));
    }

    @Test
    void getQuotaGivesCDefaults() throws Exception {
        assertEquals("128", ask(MessageType.GET_QUOTA, "watches"));
        assertEquals("10", ask(MessageType.GET_QUOTA, "transactions"));
        assertEquals("2048", ask(MessageType.GET_QUOTA, "node-size"));
        assertEquals("5", ask(MessageType.GET_QUOTA, "node-permissions"));
        assertEquals("2097152", ask(MessageType.GET_QUOTA, "soft-memory"));
    }

    @Test
    void setQuotaNodesThenGetQuotaShowsTheNewValue() throws Exception {
        assertEquals("OK", ask(MessageType.SET_QUOTA, "nodes", "2000"));
        assertEquals("2000", ask(MessageType.GET_QUOTA, "nodes"));
    }

    @Test
    void controlQuotaShowsAValueSetWithSetQuota() throws Exception {
        ask(MessageType.SET_QUOTA, "nodes", "2000");
        String text = xs.control("quota");
        assertTrue(Pattern.compile("(?m)^nodes\\s*:\\s*2000\\b").matcher(text).find(), text);
    }

    @Test
    void controlQuotaSetChangesTheValueGetQuotaReports() throws Exception {
        assertEquals("OK", xs.control("quota", "set", "watches", "5"));
        assertEquals("5", ask(MessageType.GET_QUOTA, "watches"));
        String text = xs.control("quota");
        assertTrue(Pattern.compile("(?m)^watches\\s*:\\s*5\\b").matcher(text).find(), text);
    }

    @Test
    void getQuotaOfUnknownNameFailsWithEinval() {
        assertFails(XsError.EINVAL, () -> ask(MessageType.GET_QUOTA, "no-such-quota"));
    }

    @Test
    void setQuotaWithNonNumericValueFailsWithEinval() {
        assertFails(XsError.EINVAL, () -> ask(MessageType.SET_QUOTA, "nodes", "lots"));
    }

    @Test
    void getFeatureWithoutArgumentsIsADecimalBitmap() throws Exception {
        String bitmap = ask(MessageType.GET_FEATURE);
        assertTrue(bitmap.matches("[0-9]+"), bitmap);
        long bits = Long.parseLong(bitmap);
        assertTrue(bits <= 0xffffffffL, bitmap);
    }

    @Test
    void setFeatureWithUnsupportedBitsFailsWithEinval() throws Exception {
        long supported = Long.parseLong(ask(MessageType.GET_FEATURE));
        long unsupported = ~supported & 0xffffffffL;
        long bit = Long.lowestOneBit(unsupported);
        assertFails(XsError.EINVAL, () -> ask(MessageType.SET_FEATURE, "9", Long.toString(bit)));
        assertFails(XsError.EINVAL, () -> ask(MessageType.SET_FEATURE, "9", Long.toString(unsupported)));
    }

    @Test
    void setFeatureWithSupportedBitsBeforeIntroduceIsOk() throws Exception {
        long supported = Long.parseLong(ask(MessageType.GET_FEATURE));
        assertEquals("OK", ask(MessageType.SET_FEATURE, "9", Long.toString(supported)));
        assertEquals(Long.toString(supported), ask(MessageType.GET_FEATURE, "9"));
    }

    @Test
    void setFeatureAfterIntroduceFailsWithEbusy() throws Exception {
        xs.introduce(9, 0x1000, 3);
        assertFails(XsError.EBUSY, () -> ask(MessageType.SET_FEATURE, "9", "0"));
    }
}
