package org.jxenstore.it.adversarial;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 24 (reference §4.3): binary values. Guest 240 writes values with every byte value and
 * embedded NULs, a lone NUL, an empty value and trailing NULs, and reads each back byte for byte;
 * a 2015-byte value fits the node-size quota (24 + 8 + 2015 < 2048), 2016 bytes are ENOSPC and
 * leave the old value (or no node) behind; binary values inside a transaction survive the commit.
 * dom0 writes a value that fills the 4096-byte payload exactly and reads it back; one byte more
 * drops that connection only and writes nothing. Script:
 * {@code resources/adversarial/s24_binary.py}.
 *
 * <p>Would fail on a daemon that treats values as C strings (truncation at the first NUL:
 * {@code guest-binary} DIFF), decodes them as text (bytes above 0x7f changed), is off by one at
 * the node-size quota, applies a refused write partially ({@code guest-after-refusal} CHANGED),
 * or accepts/acts on a payload over 4096 bytes ({@code dom0-over-max} SERVED).
 */
class Scenario24BinaryValuesTest extends Scenario16To30Support {

    @Test
    void values() throws Exception {
        Map<String, Long> before = fx.memreport();
        fx.script("s24_binary.py", "values").assertCompleted().expect(
                "guest-binary", "OK:SAME",
                "guest-nul-only", "OK:SAME",
                "guest-empty", "OK:SAME",
                "guest-trailing-nuls", "OK:SAME",
                "guest-2015", "OK:SAME",
                "guest-2016", "ENOSPC",
                "guest-after-refusal", "OK:KEPT",
                "guest-2016-new-node", "ENOSPC",
                "guest-2016-new-absent", "ENOENT",
                "guest-tx-binary", "OK",
                "guest-tx-read", "OK:SAME",
                "guest-after-commit", "OK:SAME",
                "destroy", "OK",
                "dom0-binary", "OK:SAME",
                "dom0-payload-max", "OK:SAME",
                "dom0-over-max", "CLOSED",
                "over-max-absent", "ENOENT");
        assertRecovered(before);
    }
}
