import GRDB
import Synchronization

/// Maps replica ids to the small integers stored in metadata columns. Indices are
/// assigned once in `_rep_replicas` and never reused, so a cached mapping stays valid;
/// entries allocated inside a transaction join the cache only after it commits.
final class ReplicaDirectory: Sendable {
    struct Snapshot: Sendable {
        var ids: [ReplicaID?] = [nil]  // index 0 is never assigned
        var index: [ReplicaID: Int] = [:]
        mutating func add(_ id: ReplicaID, _ idx: Int) {
            while ids.count <= idx { ids.append(nil) }
            ids[idx] = id
            index[id] = idx
        }
    }

    private let cache = Mutex(Snapshot())

    var snapshot: Snapshot { cache.withLock { $0 } }

    func adopt(_ s: Snapshot) {
        cache.withLock { c in
            for (id, idx) in s.index where c.index[id] == nil { c.add(id, idx) }
        }
    }

    /// Reloads every committed mapping.
    func reload(_ db: Database) throws -> Snapshot {
        var s = Snapshot()
        let rows = try Row.fetchCursor(db, sql: "SELECT idx, replica FROM _rep_replicas")
        while let row = try rows.next() {
            guard let id = ReplicaID(rawValue: row[1]) else { throw ReplicationError.corrupt("bad replica id") }
            s.add(id, row[0])
        }
        adopt(s)
        return s
    }
}

/// A transaction's view of the replica directory: resolves and, when writing, allocates.
struct ReplicaResolver {
    var snap: ReplicaDirectory.Snapshot
    let directory: ReplicaDirectory
    var reloaded = false

    init(_ directory: ReplicaDirectory) {
        self.directory = directory
        snap = directory.snapshot
    }

    mutating func id(_ idx: Int, _ db: Database) throws -> ReplicaID {
        if idx > 0, idx < snap.ids.count, let id = snap.ids[idx] { return id }
        if !reloaded {
            snap = try directory.reload(db)
            reloaded = true
            return try id(idx, db)
        }
        throw ReplicationError.corrupt("unknown replica index \(idx)")
    }

    /// The index of `id`, allocating one (inside the current write transaction) if needed.
    mutating func index(_ id: ReplicaID, _ db: Database, allocate: Bool = true) throws -> Int {
        if let i = snap.index[id] { return i }
        if let i = try Int.fetchOne(db, sql: "SELECT idx FROM _rep_replicas WHERE replica = ?", arguments: [id.rawValue]) {
            snap.add(id, i)
            return i
        }
        guard allocate else { return 0 }
        try db.execute(sql: "INSERT INTO _rep_replicas(replica) VALUES (?)", arguments: [id.rawValue])
        let i = Int(db.lastInsertedRowID)
        snap.add(id, i)
        return i
    }
}

extension Int {
    /// nil for 0: index 0 means "unknown replica" (and `_src` 0 means a local change).
    var nonZero: Int? { self == 0 ? nil : self }
}
