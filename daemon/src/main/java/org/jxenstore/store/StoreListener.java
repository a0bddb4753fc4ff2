package org.jxenstore.store;

/**
 * Told of every change to the committed tree that stays: a change that a failed request takes
 * back ({@link Store#abortChange()}) is never reported. The journal records what it is told.
 */
public interface StoreListener {
    StoreListener NONE = new StoreListener() {
        @Override
        public void written(String path, boolean created) {
        }

        @Override
        public void removed(String path) {
        }
    };

    /**
     * The node at {@code path} was written: created if {@code created}, else its value or
     * permissions changed. A special node ({@code @introduceDomain}) is written when its
     * permissions change.
     */
    void written(String path, boolean created);

    /** The node at {@code path} and everything below it were removed. */
    void removed(String path);
}
