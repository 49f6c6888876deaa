import Foundation

/// The process's file-descriptor limit (`RLIMIT_NOFILE`): every node connected to the hub
/// holds one descriptor, so the hub's soft limit is how many centers it can serve.
public enum FileLimit {
    /// Descriptors the hub keeps for itself: SQLite (database, WAL, shared memory, one per
    /// reader), libzmq's sockets and mailboxes, the web console, logs.
    public static let reserved = 128

    /// Raises the soft limit to the hard limit (the most an unprivileged process may
    /// have, set by `ulimit -Hn` or systemd's `LimitNOFILE=`); returns both as they are
    /// afterwards.
    @discardableResult
    public static func raiseToHard() -> (soft: Int, hard: Int) {
        var l = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &l) == 0 else { return (1024, 1024) }
        if l.rlim_cur < l.rlim_max {
            var raised = l
            raised.rlim_cur = l.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { l = raised }
        }
        func n(_ v: rlim_t) -> Int { v == rlim_t.max ? Int(Int32.max) : Int(clamping: v) }
        return (n(l.rlim_cur), n(l.rlim_max))
    }

    /// How many nodes `soft` descriptors hold, after the hub's own.
    public static func nodeCapacity(soft: Int) -> Int { max(0, soft - reserved) }
}
