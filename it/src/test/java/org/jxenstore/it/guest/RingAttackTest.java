package org.jxenstore.it.guest;

import org.junit.jupiter.api.Test;

/**
 * A guest corrupts its own ring page. The daemon must stop serving that ring (C: sets the ring's
 * {@code error} field and ignores the connection; the domain stays introduced) while dom0 and
 * another guest keep being served, before and after the attacker's next request. Scenarios:
 * {@code resources/guest/ring_attack.py}.
 *
 * <p>After each attack the attacker repairs its indexes and sends a well-formed READ; after a
 * barrier (dom0 and the bystander guest served once more) its ring must be untouched and no reply
 * may arrive: C never looks at an ignored connection's ring again.
 */
class RingAttackTest extends GuestDaemonTest {

    private static final String[] CUT_OFF = {
        "others-served", "OK",
        "others-served-after", "OK",
        "attacker-ring-untouched", "YES",
        "attacker-reply", "NONE",
        "introduced", "T",
        "others-served-end", "OK",
    };

    /** XSA-38: req_prod = req_cons + 2000 (more than the 1024-byte ring holds): error 2 = RINGIDX. */
    @Test
    void ringIndexAttackXsa38() throws Exception {
        run("ring_attack.py", "index").expect("error", "2", "error-after", "2").expect(CUT_OFF);
    }

    /** A header whose len is 5000 (> XENSTORE_PAYLOAD_MAX 4096): error 3 = PROTO. */
    @Test
    void headerLength5000IsProtocolErrorXsa38() throws Exception {
        run("ring_attack.py", "badlen").expect("error", "3", "error-after", "3").expect(CUT_OFF);
    }

    /** rsp_cons moved 3000 past rsp_prod, then a valid READ: the reply cannot be written, error 2. */
    @Test
    void responseIndexAttackXsa38() throws Exception {
        run("ring_attack.py", "rspindex").expect("error", "2", "error-after", "2").expect(CUT_OFF);
    }

    /**
     * XSA-416: a guest pipelines 500 READs ({@code "x"}, 18 bytes each; replies {@code "val"}, 19
     * bytes) and does not consume replies. C stops reading the ring once 20 requests are
     * outstanding (C's {@code outstanding} quota: a request stays outstanding until its whole
     * reply is in the ring): with the response ring full (1024 bytes pending = 53 complete
     * replies + 17 bytes of the 54th), it has consumed exactly 53 + 20 = 73 requests, and it
     * consumes no more while others are served. Once the guest reads, all 500 replies arrive,
     * correct and in order.
     */
    @Test
    void nonReadingGuestIsThrottledXsa416() throws Exception {
        run("ring_attack.py", "pipeline").expect(
                "stalled", "YES",
                "consumed-requests", "73",
                "rsp-ring-pending-bytes", "1024",
                "complete-replies-in-ring", "53",
                "outstanding", "20",
                "others-served-during", "OK",
                "replies", "500",
                "replies-in-order-and-correct", "YES",
                "attacker-after", "OK:val",
                "others-served-end", "OK");
    }
}
