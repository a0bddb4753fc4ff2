package org.jxenstore.client;

import org.jxenstore.protocol.Permission;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jxenstore.protocol.XsException;

/**
 * A transaction started by {@link XsClient#begin()}: its requests see the store as it was at the
 * start plus the transaction's own changes, and the changes become visible to others only on a
 * successful {@link #commit()}. The daemon answers {@code EAGAIN} to the commit if something the
 * transaction touched changed meanwhile; the whole transaction must then be redone, which
 * {@link XsClient#transaction(TransactionBody)} does automatically.
 *
 * <p>Closing a transaction that was neither committed nor aborted aborts it, so
 * try-with-resources never leaks one. Requests may be issued from several threads, but using
 * the transaction after it ended throws {@link IllegalStateException}.
 */
public final class Transaction implements NodeOperations, AutoCloseable {
    private final XsClient client;
    private final int id;
    private final AtomicBoolean ended = new AtomicBoolean();

    Transaction(XsClient client, int id) {
        this.client = client;
        this.id = id;
    }

    /**
     * The id the daemon assigned, sent as {@code tx_id} in every request of this transaction;
     * useful with {@link XsClient#request(org.jxenstore.protocol.MessageType, int, byte[])}.
     *
     * @return the transaction id, never 0
     */
    public int id() {
        return id;
    }

    /**
     * Whether {@link #commit()} or {@link #abort()} has been called.
     *
     * @return true once the transaction has ended, whatever the outcome
     */
    public boolean isEnded() {
        return ended.get();
    }

    @Override
    public byte[] read(String path) throws XsException {
        return client.read(open(), path);
    }

    @Override
    public void write(String path, byte[] value) throws XsException {
        client.write(open(), path, value);
    }

    @Override
    public void mkdir(String path) throws XsException {
        client.mkdir(open(), path);
    }

    @Override
    public void rm(String path) throws XsException {
        client.rm(open(), path);
    }

    @Override
    public List<String> directory(String path) throws XsException {
        return client.directory(open(), path);
    }

    @Override
    public List<Permission> getPerms(String path) throws XsException {
        return client.getPerms(open(), path);
    }

    @Override
    public void setPerms(String path, List<Permission> permissions) throws XsException {
        client.setPerms(open(), path, permissions);
    }

    /**
     * Commits the transaction ({@code TRANSACTION_END T}). The transaction has ended afterwards
     * whether or not the commit succeeded.
     *
     * @throws XsException {@code EAGAIN} if it conflicted with another change and must be
     *                     redone from the start; other errors if the daemon refuses
     * @throws IllegalStateException if the transaction has already ended
     */
    public void commit() throws XsException {
        end(true);
    }

    /**
     * Discards the transaction's changes ({@code TRANSACTION_END F}).
     *
     * @throws XsException if the daemon refuses, e.g. {@code ENOENT} when it already dropped
     *                     the transaction (after {@code RESET_WATCHES})
     * @throws IllegalStateException if the transaction has already ended
     */
    public void abort() throws XsException {
        end(false);
    }

    /**
     * Aborts the transaction unless it has already ended.
     *
     * @throws XsException if the daemon refuses the abort
     */
    @Override
    public void close() throws XsException {
        if (ended.compareAndSet(false, true)) {
            client.endTransaction(id, false);
        }
    }

    private void end(boolean commit) throws XsException {
        if (!ended.compareAndSet(false, true)) {
            throw new IllegalStateException("transaction " + id + " has already ended");
        }
        client.endTransaction(id, commit);
    }

    private int open() {
        if (ended.get()) {
            throw new IllegalStateException("transaction " + id + " has already ended");
        }
        return id;
    }
}
