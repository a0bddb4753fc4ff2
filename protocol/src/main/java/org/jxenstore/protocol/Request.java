package org.jxenstore.protocol;

import java.util.List;

/**
 * A decoded request: one record per message type a client may send, so that the compiler checks
 * that every type is handled. Strings are as the client sent them (paths not yet canonical).
 */
public sealed interface Request {
    record Control(List<String> args) implements Request { }
    record Directory(String path) implements Request { }
    record DirectoryPart(String path, long offset) implements Request { }
    record Read(String path) implements Request { }
    record GetPerms(String path) implements Request { }
    /** {@code depth} is -1 when the client gave none. */
    record Watch(String path, String token, int depth) implements Request { }
    record Unwatch(String path, String token) implements Request { }
    record TransactionStart() implements Request { }
    record TransactionEnd(boolean commit) implements Request { }
    record Introduce(int domid, long gfn, int port) implements Request { }
    record Release(int domid) implements Request { }
    record GetDomainPath(int domid) implements Request { }
    record Write(String path, byte[] value) implements Request { }
    record Mkdir(String path) implements Request { }
    record Rm(String path) implements Request { }
    record SetPerms(String path, List<String> perms) implements Request { }
    record IsDomainIntroduced(int domid) implements Request { }
    record Resume(int domid) implements Request { }
    record SetTarget(int domid, int target) implements Request { }
    record ResetWatches() implements Request { }
    record GetFeature(List<String> args) implements Request { }
    record SetFeature(List<String> args) implements Request { }
    record GetQuota(List<String> args) implements Request { }
    record SetQuota(List<String> args) implements Request { }
}
