package org.jxenstore.server;

import org.jxenstore.exec.Sessions;
import org.jxenstore.log.AccessLog;
import org.jxenstore.quota.QuotaTable;

/**
 * What every connection shares with the rest of the daemon.
 *
 * @param sessions          where its protocol session is opened and closed
 * @param quotas            the {@code outstanding} and {@code memory} quotas its queues obey
 * @param eventTimeoutNanos how long an unprivileged client's undelivered watch event is kept
 * @param trace             the access trace, which logs its watch events
 * @param tickets           the request being executed, charged with the events it causes
 * @param agenda            where it asks the event loop for a turn or a flush
 * @param beforeOutput      makes every change so far durable (the journal) and writes out the
 *                          trace: nothing that could acknowledge a change leaves before it
 */
record ConnectionContext(Sessions sessions, QuotaTable quotas, long eventTimeoutNanos, AccessLog trace,
        RequestTickets tickets, Agenda agenda, Runnable beforeOutput) {
}
