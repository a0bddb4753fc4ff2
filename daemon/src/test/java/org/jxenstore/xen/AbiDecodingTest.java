package org.jxenstore.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Decoding what the hypervisor returns, without a hypervisor. */
class AbiDecodingTest {
    private static MemorySegment dominfo(int domid, int flags, int reason) {
        // a long[] is 8-aligned, as xc_dominfo_t is
        MemorySegment info = MemorySegment.ofArray(new long[(int) LibXenCtrl.DOMINFO_SIZE / 8]);
        info.set(ValueLayout.JAVA_INT, 0, domid);
        info.set(ValueLayout.JAVA_INT, 4, 0x1234); // ssidref: not a flag
        info.set(ValueLayout.JAVA_INT, 8, flags);
        info.set(ValueLayout.JAVA_INT, 12, reason);
        return info;
    }

    @Test
    void runningDomain() {
        // running is bit 5
        assertEquals(Optional.of(new DomainState(7, false, false, 0)),
                LibXenCtrl.decode(7, dominfo(7, 1 << 5, 0)));
    }

    @Test
    void dyingIsBit0AndShutdownBit2() {
        assertEquals(Optional.of(new DomainState(7, true, false, 0)), LibXenCtrl.decode(7, dominfo(7, 1, 0)));
        // crashed (bit 1) is neither
        assertEquals(Optional.of(new DomainState(7, false, false, 0)), LibXenCtrl.decode(7, dominfo(7, 2, 0)));
        assertEquals(Optional.of(new DomainState(7, false, true, 3)), LibXenCtrl.decode(7, dominfo(7, 4, 3)));
        assertEquals(Optional.of(new DomainState(7, true, true, 2)), LibXenCtrl.decode(7, dominfo(7, 0x3ff, 2)));
    }

    @Test
    void anotherDomainMeansUnknown() {
        // xc_domain_getinfo returns the next existing domain when the asked-for one is gone
        assertEquals(Optional.empty(), LibXenCtrl.decode(7, dominfo(8, 1 << 5, 0)));
    }

    @Test
    void xsdPortIsDecimalText() throws XenException {
        assertEquals(1, Dom0Interface.parsePort("1"));
        assertEquals(17, Dom0Interface.parsePort("17\n"));
        assertThrows(XenException.class, () -> Dom0Interface.parsePort(""));
        assertThrows(XenException.class, () -> Dom0Interface.parsePort("x1"));
        assertThrows(XenException.class, () -> Dom0Interface.parsePort("0"));
    }

    @Test
    void exceptionMessagesAreOneLine() {
        assertEquals("a b c", new XenException("a\n b\r\nc\n").getMessage());
    }
}
