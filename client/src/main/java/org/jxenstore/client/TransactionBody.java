package org.jxenstore.client;

import org.jxenstore.protocol.XsException;

/**
 * The work of a transaction run by {@link XsClient#transaction(TransactionBody)}. It may run
 * several times, once per attempt, so it must not have effects outside the transaction that
 * would be wrong to repeat.
 *
 * @param <T> what the body computes
 */
@FunctionalInterface
public interface TransactionBody<T> {

    /**
     * Does the transaction's reads and writes.
     *
     * @param tx the transaction of this attempt; the caller commits it after this returns, so
     *           the body must not commit or abort it
     * @return the result, handed back to the caller if the commit succeeds
     * @throws XsException if a request fails; the transaction is then aborted, not retried
     */
    T run(Transaction tx) throws XsException;
}
