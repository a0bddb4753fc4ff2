package org.jxenstore.migration;

/** The numbers of the migration stream format that the writer and the reader share. */
final class MigrationFormat {
    /** "xenstore" in ASCII. */
    static final long IDENT = 0x78656e73746f7265L;
    /** Version 2: WATCH_DATA_EXTENDED and DOMAIN_DATA's features are valid. */
    static final int VERSION = 2;
    static final int HEADER_LENGTH = 16;
    /** Header flag bit 0: records are big-endian. */
    static final int FLAG_BIG_ENDIAN = 1;

    static final int END = 0;
    static final int GLOBAL_DATA = 1;
    static final int CONNECTION_DATA = 2;
    static final int WATCH_DATA = 3;
    static final int TRANSACTION_DATA = 4;
    static final int NODE_DATA = 5;
    static final int GLOBAL_QUOTA_DATA = 6;
    static final int DOMAIN_DATA = 7;
    static final int WATCH_DATA_EXTENDED = 8;
    /** jxenstore's own records ("JX" and a number): its journal's, never in a live-update stream. */
    static final int NODE_REMOVED = 0x4A580001;
    static final int DOMAIN_RESET = 0x4A580002;
    static final int TRANSACTION_LOG = 0x4A580003;
    static final int JOURNAL_POSITION = 0x4A580004;

    static final short CONN_RING = 0;
    static final short CONN_SOCKET = 1;
    /** CONNECTION_DATA's fields bit: a unique id follows the data. */
    static final short FIELD_UNIQUE_ID = 1;
    /** A permission entry's flags bit: stale, never honoured. */
    static final int PERM_STALE = 1;

    private MigrationFormat() {
    }

    /** Octets of zero that follow a record body of {@code length} octets. */
    static int padding(int length) {
        return (8 - (length & 7)) & 7;
    }

    static int typeOf(MigrationRecord r) {
        return switch (r) {
            case MigrationRecord.End e -> END;
            case MigrationRecord.GlobalData g -> GLOBAL_DATA;
            case MigrationRecord.ConnectionData c -> CONNECTION_DATA;
            case MigrationRecord.WatchData w -> w.depth() == MigrationRecord.WatchData.NO_DEPTH
                    ? WATCH_DATA : WATCH_DATA_EXTENDED;
            case MigrationRecord.TransactionData t -> TRANSACTION_DATA;
            case MigrationRecord.NodeData n -> NODE_DATA;
            case MigrationRecord.GlobalQuotaData q -> GLOBAL_QUOTA_DATA;
            case MigrationRecord.DomainData d -> DOMAIN_DATA;
            case MigrationRecord.NodeRemoved n -> NODE_REMOVED;
            case MigrationRecord.DomainReset d -> DOMAIN_RESET;
            case MigrationRecord.TransactionLog t -> TRANSACTION_LOG;
            case MigrationRecord.JournalPosition j -> JOURNAL_POSITION;
        };
    }
}
