package org.jxenstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jxenstore.quota.Quota;
import org.jxenstore.server.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** C xenstored's command line, as it reaches the daemon's {@link Config}. */
class XenstoredOptionsTest {
    private static final Path SOCKET = Path.of("/run/xs-test/socket");

    private static Config parse(String... args) {
        return XenstoredOptions.parse(args).toConfig(SOCKET);
    }

    private static String rejection(String... args) {
        return assertThrows(XenstoredOptions.UsageException.class, () -> parse(args)).getMessage();
    }

    /** C's defaults, with the journal beside the socket. */
    private static final Config DEFAULTS = Config.defaults(SOCKET).withJournal(SOCKET.resolveSibling("jxenstored-state"));

    @Test
    void minusDAloneGivesTheDefaultsOfCWithTheJournalBesideTheSocket() {
        assertEquals(DEFAULTS, parse("-D"));
    }

    @Test
    void metricsAreServedOnlyWhereTold() {
        assertNull(parse().metricsAddress());
        assertEquals(new InetSocketAddress("127.0.0.1", 9100), parse("--metrics", "127.0.0.1:9100").metricsAddress());
        assertEquals(new InetSocketAddress("::1", 9100), parse("--metrics", "[::1]:9100").metricsAddress());
        assertTrue(rejection("--metrics", "9100").contains("expected <host>:<port>"), rejection("--metrics", "9100"));
        assertTrue(rejection("--metrics", "h:70000").contains("is not 0 to 65535"), rejection("--metrics", "h:70000"));
    }

    @Test
    void theJournalGoesWhereToldOrNowhere() {
        assertEquals(Path.of("/var/lib/xs-journal"), parse("--journal", "/var/lib/xs-journal").journalDir());
        assertEquals(Path.of("j").toAbsolutePath(), parse("--journal", "j").journalDir());
        assertNull(parse("--no-journal").journalDir());
    }

    @Test
    void withoutMinusDTheDomainsAreToBeInitialised() {
        assertFalse(parse().noDomainInit());
    }

    @ParameterizedTest
    @CsvSource({
        "-E, NODES", "--entry-nb, NODES",
        "-S, NODE_SIZE", "--entry-size, NODE_SIZE",
        "-W, WATCHES", "--watch-nb, WATCHES",
        "-t, TRANSACTIONS", "--transaction, TRANSACTIONS",
        "-A, NODE_PERMISSIONS", "--perm-nb, NODE_PERMISSIONS",
        "-M, PATH_MAX", "--path-max, PATH_MAX"})
    void aQuotaOptionSetsItsQuota(String option, Quota quota) {
        assertEquals(77, parse(option, "77").hardQuotas().get(quota));
    }

    @ParameterizedTest
    @EnumSource(Quota.class)
    void minusQSetsEveryQuotaByItsName(Quota quota) {
        assertEquals(0, parse("-Q", quota.wireName() + "=0").hardQuotas().get(quota));
        assertEquals(9, parse("--quota=" + quota.wireName() + "=9").hardQuotas().get(quota));
    }

    @Test
    void permissionsIsAcceptedForNodePermissions() {
        assertEquals(3, parse("-Q", "permissions=3").hardQuotas().get(Quota.NODE_PERMISSIONS));
    }

    @Test
    void quotaOptionsApplyLeftToRightAsInC() {
        assertEquals(7, parse("-E", "5", "-Q", "nodes=7").hardQuotas().get(Quota.NODES));
        assertEquals(5, parse("-Q", "nodes=7", "-E", "5").hardQuotas().get(Quota.NODES));
        assertEquals(2, parse("-Q", "watches=1", "-Q", "watches=2").hardQuotas().get(Quota.WATCHES));
    }

    @Test
    void aRepeatedOptionOverridesTheEarlierOneAsWithGetopt() {
        assertEquals(2, parse("-E", "1", "-E", "2").hardQuotas().get(Quota.NODES));
        assertEquals(Path.of("/b"), parse("-F", "/a", "-F", "/b").pidFile());
    }

    @Test
    void minusMIsCappedAtTheRelativePathMaximumButMinusQIsNot() {
        assertEquals(2048, parse("-M", "5000").hardQuotas().get(Quota.PATH_MAX));
        assertEquals(5000, parse("-Q", "path-max=5000").hardQuotas().get(Quota.PATH_MAX));
    }

    @Test
    void shortOptionsClusterAndTakeAttachedValues() {
        Config config = parse("-DVK", "-E12", "-Qwatches=3");
        assertTrue(config.noDomainInit());
        assertTrue(config.verbose());
        assertTrue(config.keepOrphans());
        assertEquals(12, config.hardQuotas().get(Quota.NODES));
        assertEquals(3, config.hardQuotas().get(Quota.WATCHES));
    }

    @Test
    void aClusterEndsWithTheValueOfItsLastOptionAsInGetopt() {
        Config config = parse("-DVQnodes=7", "-w", "watch-event=4");
        assertTrue(config.noDomainInit());
        assertTrue(config.verbose());
        assertEquals(7, config.hardQuotas().get(Quota.NODES));
        assertEquals(4, config.watchEventTimeoutS());
        assertEquals(DEFAULTS, parse("-DIon"));
        // As before, an "=" before an attached value is dropped (getopt would keep it).
        assertEquals(5, parse("-DE=5").hardQuotas().get(Quota.NODES));
        assertEquals(3, parse("-Q=nodes=3").hardQuotas().get(Quota.NODES));
        assertEquals("unknown option \"x\" in -Dx", rejection("-Dx"));
        assertEquals("unknown option \"-\" in -D-", rejection("-D-"));
    }

    @Test
    void aLongOptionNeedsTwoDashesAndItsWholeName() {
        assertEquals("unknown option -no-journal", rejection("-no-journal"));
        assertEquals("unknown option --no-j", rejection("--no-j"));
        // getopt reads -entry-nb as -e with the value "ntry-nb", not as --entry-nb.
        assertEquals(parse(), parse("-entry-nb"));
        assertEquals("unknown option --no-fork=yes", rejection("--no-fork=yes"));
    }

    @Test
    void aValueIsTakenVerbatim() {
        assertEquals(Path.of("\"a b\"").toAbsolutePath(), parse("-F", "\"a b\"").pidFile());
        assertEquals(Path.of("-journal").toAbsolutePath(), parse("-F", "-journal").pidFile());
        // Not a value: what starts with a short option, or is "--".
        assertEquals("--pid-file: missing <file>", rejection("-F", "-pid"));
        assertEquals("--pid-file: missing <file>", rejection("-F", "--"));
    }

    @Test
    void softMemoryQuota() {
        assertEquals(Quota.SOFT_MEMORY_DEFAULT, parse().softMemory());
        assertEquals(4096, parse("-q", "memory=4096").softMemory());
        assertEquals(4096, parse("--quota-soft", "memory=4096").softMemory());
    }

    @Test
    void watchEventTimeout() {
        assertEquals(20, parse().watchEventTimeoutS());
        assertEquals(3, parse("-w", "watch-event=3").watchEventTimeoutS());
        assertEquals(0, parse("--timeout", "watch-event=0").watchEventTimeoutS());
    }

    @Test
    void domids() {
        Config config = parse("-m", "3", "--priv-domid", "7");
        assertEquals(3, config.masterDomid());
        assertEquals(7, config.privDomid());
    }

    @Test
    void filesAreMadeAbsoluteAgainstTheStartingDirectory() {
        Config config = parse("-F", "xs.pid", "--trace-file", "/var/log/xs-trace");
        assertEquals(Path.of("xs.pid").toAbsolutePath(), config.pidFile());
        assertEquals(Path.of("/var/log/xs-trace"), config.traceFile());
        assertNull(parse().pidFile());
        assertNull(parse().traceFile());
    }

    @Test
    void optionsWithoutMeaningForJxenstoreAreAccepted() {
        assertEquals(DEFAULTS,
                parse("-D", "-N", "-R", "-I", "-I", "off", "--internal-db=on", "-e", "5",
                        "--trace-control=+io", "--trace-control", "-obj"));
    }

    @Test
    void outputPidLiveUpdateAndTheCommandLineReachMain() {
        XenstoredOptions options = XenstoredOptions.parse("-P", "-U", "--check-state", "/run/xs/state_dump");
        assertTrue(options.outputPid());
        assertEquals(Path.of("/run/xs/state_dump"), options.checkState());
        Config config = options.toConfig(SOCKET, List.of("-P", "-U"));
        assertTrue(config.liveUpdate());
        assertEquals(List.of("-P", "-U"), config.arguments());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "", "1.5", "2147483648", "99999999999"})
    void aCountMustBeAnUnsignedIntAsInC(String value) {
        assertEquals("--entry-nb: invalid value \"" + value + "\" (expected 0..2147483647)",
                rejection("-E", value));
    }

    @Test
    void theLargestCountIsIntMax() {
        assertEquals(Integer.MAX_VALUE, parse("-E", "2147483647").hardQuotas().get(Quota.NODES));
    }

    @Test
    void minusQRejectsUnknownQuotasAndMissingValues() {
        assertEquals("--quota: unknown quota \"bogus\"", rejection("-Q", "bogus=1"));
        assertEquals("--quota: expected <what>=<value>, got \"nodes\"", rejection("-Q", "nodes"));
        assertEquals("--quota: invalid value \"x\" (expected 0..2147483647)", rejection("-Q", "nodes=x"));
    }

    @Test
    void onlyMemoryHasASoftQuota() {
        assertEquals("--quota-soft: unknown soft quota \"nodes\" (only memory)",
                rejection("-q", "nodes=1"));
    }

    @Test
    void onlyWatchEventHasATimeout() {
        assertEquals("--timeout: unknown timeout \"transaction\" (only watch-event)",
                rejection("-w", "transaction=1"));
    }

    @Test
    void aDomidMustNameADomain() {
        assertEquals("--master-domid: invalid domid 32752 (expected 0..32751)",
                rejection("-m", "32752"));
        assertEquals(32751, parse("-p", "32751").privDomid());
    }

    @Test
    void argumentsAndUnknownOptionsAreRejected() {
        assertEquals("unexpected argument \"socket\"", rejection("socket"));
        assertEquals("unexpected argument \"socket\"", rejection("-D", "--", "socket"));
        assertEquals("unknown option -X", rejection("-X"));
        assertEquals("--entry-nb: missing <nb>", rejection("--entry-nb"));
    }

    @Test
    void theHelpListsEveryQuotaWithItsDefault() {
        String help = XenstoredOptions.help();
        for (Quota quota : Quota.values()) {
            assertTrue(help.matches("(?s).*\\b" + quota.wireName() + " +" + quota.defaultValue() + "\\b.*"),
                    quota.wireName());
        }
        assertTrue(help.contains("Accepted for compatibility, no effect:"));
    }

    @Test
    void hardQuotasNotGivenKeepTheirDefaults() {
        Map<Quota, Integer> quotas = parse("-E", "1").hardQuotas();
        for (Quota quota : Quota.values()) {
            if (quota != Quota.NODES) {
                assertEquals(quota.defaultValue(), quotas.get(quota), quota.wireName());
            }
        }
    }
}
