package org.jxenstore.server;

import org.jxenstore.exec.Reply;
import org.jxenstore.exec.RequestExecutor;
import org.jxenstore.log.AccessLog;
import org.jxenstore.log.DaemonLog;
import org.jxenstore.metrics.DaemonMetrics;
import org.jxenstore.protocol.Message;
import org.jxenstore.protocol.MessageType;
import org.jxenstore.protocol.Wire;
import org.jxenstore.protocol.XsError;
import org.jxenstore.protocol.XsException;
import org.jxenstore.watch.Watch;

/**
 * The path of one request, from a framed message to its queued reply, top to bottom: it is
 * traced, it gets its ticket, it is admitted (or refused by the heap guard), executed, a failure
 * becomes the protocol's error reply, the reply is queued with a WATCH's initial event after it,
 * and the end of a transaction is reported to the XSA-206 hold. Runs on the event-loop thread.
 */
final class Dispatcher {
    private final RequestExecutor executor;
    private final HeapGuard heap;
    private final GuestHold hold;
    private final RequestTickets tickets;
    private final AccessLog trace;
    private final DaemonLog log;
    private final LiveUpdate liveUpdate;
    private final DaemonMetrics metrics;

    /** @param metrics {@code null} without {@code --metrics} */
    Dispatcher(RequestExecutor executor, HeapGuard heap, GuestHold hold, RequestTickets tickets, AccessLog trace,
            DaemonLog log, LiveUpdate liveUpdate, DaemonMetrics metrics) {
        this.liveUpdate = liveUpdate;
        this.metrics = metrics;
        this.executor = executor;
        this.heap = heap;
        this.hold = hold;
        this.tickets = tickets;
        this.trace = trace;
        this.log = log;
    }

    /** Runs one request of {@code c} and queues everything it answers. */
    void dispatch(Connection c, Message m) {
        int domid = c.caller().domid();
        if (trace.active()) {
            trace.request(c.id(), domid, m);
        }
        MessageType type = MessageType.fromCode(m.type());
        Ticket ticket = tickets.open(c);
        long began = metrics == null ? 0 : System.nanoTime();
        try {
            Message reply;
            Watch initialEvent = null;
            XsError error = null;
            try {
                Reply r = admitAndExecute(c, type, m);
                reply = new Message(m.type(), m.reqId(), m.txId(), r.payload());
                if (r.handover() != null) {
                    // The new binary sends this reply, once it has the state.
                    liveUpdate.schedule(c, reply, r.handover());
                    return;
                }
                initialEvent = r.initialEvent();
            } catch (XsException e) {
                error = e.error();
                reply = Message.error(m.reqId(), m.txId(), error);
            }
            if (trace.active()) {
                trace.reply(c.id(), domid, reply);
            }
            c.send(reply, ticket);
            if (initialEvent != null) {
                c.deliver(initialEvent.eventPath(initialEvent.path()), initialEvent.token());
            }
            if (type == MessageType.TRANSACTION_END) {
                hold.transactionEnded(c, error);
            }
        } finally {
            tickets.close();
            if (metrics != null) {
                metrics.requestDone(type, System.nanoTime() - began);
            }
        }
    }

    /**
     * Executes a request unless the heap is nearly full and it would grow the store. Every
     * failure is an error: the executor's refusals as they are, a reply too big for one message
     * E2BIG, and anything unexpected ENOMEM or EIO, logged, with the request's change taken back.
     */
    private Reply admitAndExecute(Connection c, MessageType type, Message m) throws XsException {
        try {
            boolean grows = RequestExecutor.grows(type);
            long growth = m.payload().length + HeapGuard.NODE_OVERHEAD;
            if (grows && heap.refuses(growth)) {
                throw new XsException(XsError.ENOMEM);
            }
            Reply reply = executor.execute(c.session(), type, m.txId(), m.payload());
            if (grows) {
                heap.admitted(growth);
            }
            if (reply.payload().length > Wire.PAYLOAD_MAX) {
                throw new XsException(XsError.E2BIG);
            }
            return reply;
        } catch (OutOfMemoryError e) {
            log.warning("conn=" + c.id() + " " + c.transport().describe() + ": " + type + " ran out of memory");
            throw new XsException(XsError.ENOMEM);
        } catch (RuntimeException | Error e) {
            // A bug, or a broken installation (a class that cannot be loaded): this request
            // fails, and the others are still served.
            log.error("conn=" + c.id() + " " + c.transport().describe() + ": internal error on " + type, e);
            throw new XsException(XsError.EIO);
        }
    }
}
