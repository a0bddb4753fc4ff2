package org.jxenstore.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jxenstore.protocol.Permission.Access;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PermissionTest {

    @Test
    void parsesEachAccessLetter() {
        assertEquals(new Permission(Access.NONE, 0), Permission.parse("n0"));
        assertEquals(new Permission(Access.READ, 5), Permission.parse("r5"));
        assertEquals(new Permission(Access.WRITE, 12), Permission.parse("w12"));
        assertEquals(new Permission(Access.BOTH, 65535), Permission.parse("b65535"));
    }

    @Test
    void formatsAsWireText() {
        assertEquals("r5", new Permission(Access.READ, 5).toString());
        assertEquals("b32757", new Permission(Access.BOTH, 0x7FF5).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"n0", "r5", "w7", "b32757", "n65535"})
    void roundTrips(String text) {
        assertEquals(text, Permission.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "r", "5", "x5", "R5", "r-5", "r+5", "r 5", "r5 ", "r65536", "r999999", "rr5"})
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> Permission.parse(text));
    }

    @Test
    void rejectsDomidOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new Permission(Access.READ, -1));
        assertThrows(IllegalArgumentException.class, () -> new Permission(Access.READ, 0x10000));
    }

    @Test
    void mapsLettersBothWays() {
        for (Access a : Access.values()) {
            assertEquals(a, Access.fromLetter(a.letter()));
        }
        assertThrows(IllegalArgumentException.class, () -> Access.fromLetter('x'));
    }
}
