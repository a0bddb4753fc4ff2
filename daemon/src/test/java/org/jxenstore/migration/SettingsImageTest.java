package org.jxenstore.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.jxenstore.domain.Domain;
import org.jxenstore.exec.XsFixture;
import org.jxenstore.exec.XsFixture.Client;
import org.jxenstore.migration.MigrationRecord.DomainData;
import org.jxenstore.migration.MigrationRecord.End;
import org.jxenstore.migration.MigrationRecord.GlobalQuotaData;
import org.jxenstore.migration.MigrationRecord.QuotaValue;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.quota.Quota;
import org.junit.jupiter.api.Test;

class SettingsImageTest {
    private final XsFixture before = new XsFixture();
    private final Client admin = before.dom0();

    @Test
    void quotasAndFeaturesReadBackAsTheyWereSet() throws IOException {
        before.guest(3);
        before.guest(4);
        assertEquals("OK", admin.call(MessageType.SET_QUOTA, 0, "nodes", "77"));
        assertEquals("OK", admin.call(MessageType.SET_QUOTA, 0, "soft-memory", "12345"));
        assertEquals("OK", admin.call(MessageType.SET_QUOTA, 0, "3", "watches", "9"));
        before.registry.find(4).setFeatures(1);
        XsFixture after = loaded(2);
        Client afterAdmin = after.dom0();
        for (List<String> question : List.of(List.of("nodes"), List.of("soft-memory"), List.of("3", "watches"),
                List.of("3", "nodes"), List.of("4", "watches"))) {
            assertEquals(admin.call(MessageType.GET_QUOTA, 0, question.toArray(String[]::new)),
                    afterAdmin.call(MessageType.GET_QUOTA, 0, question.toArray(String[]::new)), question.toString());
        }
        assertEquals("9", afterAdmin.call(MessageType.GET_QUOTA, 0, "3", "watches"));
        assertEquals(admin.call(MessageType.GET_FEATURE, 0, "4"), afterAdmin.call(MessageType.GET_FEATURE, 0, "4"));
        assertEquals("1", afterAdmin.call(MessageType.GET_FEATURE, 0, "4"));
    }

    @Test
    void unknownQuotaNamesAreIgnored() {
        XsFixture target = new XsFixture();
        SettingsImage.load(new GlobalQuotaData(List.of(new QuotaValue("bogus", 5), new QuotaValue("nodes", 12)),
                List.of()), target.quotas);
        SettingsImage.load(new DomainData(6, 0, List.of(new QuotaValue("other", 1))), 2, target.quotas,
                target.registry);
        assertEquals(12, target.quotas.global(Quota.NODES));
        assertEquals(12, target.quotas.limit(Quota.NODES, 6));
    }

    @Test
    void aVersionOneDomainRecordLeavesTheFeaturesAlone() {
        XsFixture target = new XsFixture();
        SettingsImage.load(new DomainData(6, 0, List.of()), 1, target.quotas, target.registry);
        assertEquals(Domain.SUPPORTED_FEATURES, target.registry.find(6).features());
    }

    private XsFixture loaded(int version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MigrationWriter writer = new MigrationWriter(bytes);
        SettingsImage.write(before.quotas, before.registry, writer);
        writer.finish();
        XsFixture after = new XsFixture();
        after.guest(3);
        after.guest(4);
        MigrationReader reader = new MigrationReader(new ByteArrayInputStream(bytes.toByteArray()));
        for (MigrationRecord r = reader.next(); !(r instanceof End); r = reader.next()) {
            switch (r) {
                case GlobalQuotaData g -> SettingsImage.load(g, after.quotas);
                case DomainData d -> SettingsImage.load(d, version, after.quotas, after.registry);
                default -> throw new AssertionError("unexpected record " + r);
            }
        }
        return after;
    }
}
