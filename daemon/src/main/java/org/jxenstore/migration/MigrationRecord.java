package org.jxenstore.migration;

import java.util.List;
import java.util.OptionalLong;
import org.jxenstore.access.Perm;

/**
 * The records of Xen's xenstore migration stream (docs/designs/xenstore-migration.md in the Xen
 * tree), the format in which xenstored hands its state to a new binary on live update. Each
 * record is one thing the daemon holds; those that name a connection ({@code connId}) follow
 * that connection's {@link ConnectionData}.
 */
public sealed interface MigrationRecord {

    /** The last record of every stream. */
    record End() implements MigrationRecord {
    }

    /**
     * The daemon's own descriptors, which live update keeps open across exec.
     *
     * @param socketFd the listening socket, -1 if none
     * @param evtchnFd the event channel device, -1 if none
     */
    record GlobalData(int socketFd, int evtchnFd) implements MigrationRecord {
    }

    /** Where a connection's bytes come from. */
    sealed interface Endpoint {
    }

    /**
     * A guest's shared ring.
     *
     * @param targetDomid the domain it acts for after SET_TARGET, {@link #NO_TARGET} if none
     */
    record Ring(int domid, int targetDomid, int port) implements Endpoint {
        /** DOMID_INVALID: no SET_TARGET. */
        public static final int NO_TARGET = 0x7FF4;
    }

    /** A connected Unix socket, by its descriptor. */
    record Socket(int fd) implements Endpoint {
    }

    /**
     * One connection and the bytes in flight on it.
     *
     * @param connId             non-zero; later records name the connection by it
     * @param input              read from the connection and not yet processed
     * @param partialReplyLength how much of the start of {@code output} is the rest of a reply
     *                           already partly written
     * @param output             not yet written to the connection
     * @param uniqueId           the domain's unique id (Xen 4.18+ streams, rings only)
     */
    record ConnectionData(int connId, Endpoint endpoint, byte[] input, int partialReplyLength, byte[] output,
            OptionalLong uniqueId) implements MigrationRecord {
    }

    /**
     * A watch of a connection.
     *
     * @param depth how many levels below {@code path} it matches, {@link #UNLIMITED} for all, or
     *              {@link #NO_DEPTH} for a watch written as plain WATCH_DATA (stream version 1)
     */
    record WatchData(int connId, String path, String token, int depth) implements MigrationRecord {
        public static final int UNLIMITED = 0xFFFF;
        public static final int NO_DEPTH = -1;
    }

    /** An open transaction of a connection. */
    record TransactionData(int connId, int txId) implements MigrationRecord {
    }

    /**
     * A node: committed ({@code connId} 0), or as a pending transaction has it.
     *
     * @param access for a transaction's node, {@link #READ} and/or {@link #WRITTEN}; 0 and no
     *               permissions for a node the transaction deleted
     * @param perms  the owner first; domids are 16 bits in the stream
     */
    record NodeData(int connId, int txId, int access, List<Perm> perms, String path, byte[] value)
            implements MigrationRecord {
        public static final int READ = 1;
        public static final int WRITTEN = 2;
    }

    /** One named quota value; 0 means unlimited. */
    record QuotaValue(String name, int value) {
    }

    /** The quota settings of the daemon: defaults for every domain, then global ones. */
    record GlobalQuotaData(List<QuotaValue> perDomain, List<QuotaValue> global) implements MigrationRecord {
    }

    /**
     * One domain's own settings.
     *
     * @param features the feature bits its ring page shows (stream version 2)
     */
    record DomainData(int domid, int features, List<QuotaValue> quotas) implements MigrationRecord {
    }

    /**
     * jxenstore's journal only: the node and everything below it are gone. A live-update stream
     * never holds it; C would refuse it as an unknown record.
     */
    record NodeRemoved(String path) implements MigrationRecord {
    }

    /**
     * jxenstore's journal only: forget what is known of the domain (its connection, watches,
     * transactions, features and own quotas); the records after it state what is left.
     */
    record DomainReset(int domid) implements MigrationRecord {
    }

    /** A request a transaction ran: its message type and payload. */
    record LoggedRequest(int type, byte[] payload) {
    }

    /**
     * jxenstore's live update only: how the new process rebuilds an open transaction (C drops
     * them). If {@code replayable}, it touches {@code touched} in order, then runs
     * {@code requests} again; otherwise it can only fail with EAGAIN. Follows the transaction's
     * TRANSACTION_DATA.
     */
    record TransactionLog(int connId, int txId, boolean replayable, List<String> touched,
            List<LoggedRequest> requests) implements MigrationRecord {
    }

    /**
     * jxenstore's live update only: the journal held every change up to this stream and ends at
     * {@code length} octets of journal {@code number}, so the new process appends to it instead
     * of writing a new snapshot first.
     */
    record JournalPosition(long number, long length) implements MigrationRecord {
    }
}
