package org.jxenstore.it.guest;

import org.junit.jupiter.api.Test;

/**
 * 100 guests (dom200..dom299) at once, driven round-robin by one Python process: in each of 10
 * rounds every guest has two WRITEs and a READ outstanding at the same time. All 3000 replies
 * must be correct; dom0 then lists /local/domain and sees all 100 homes. Scenario:
 * {@code resources/guest/many_guests.py}.
 */
class ManyGuestsTest extends GuestDaemonTest {

    @Test
    void hundredGuestsConcurrently() throws Exception {
        run("many_guests.py", "many").expect(
                "replies", "3000",
                "bad-replies", "0",
                "final-values", "100",
                "final-children", "100",
                "dom0-lists", "100",
                "dom0-reads", "100",
                "introduced", "100",
                "released-gone", "100");
    }
}
