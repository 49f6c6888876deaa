import Foundation
import GRDB
import Logging
import Replication
import SyncProtocol

/// Does the hub's database writes off the socket thread, so that thread goes on receiving,
/// decoding and answering heartbeats while SQLite works (pipelining): pushed change sets,
/// and the batched status writes (``RegistryBuffer``).
///
/// Whatever pushes are queued when the thread comes round commit in one transaction (group
/// commit: one WAL sync for several pushes); a push that fails is the only one lost
/// (`Replica.apply(_:)` then applies the others one by one). Results come back in
/// submission order through ``completed()``, and the `wake` callback ends the socket
/// thread's wait. Nothing is acknowledged here: the socket thread sends each ACK after its
/// commit.
///
/// `threaded: false` does the same work inline, in ``completed()``, on the caller's
/// thread: tests drive the hub deterministically that way.
final class PushApplier: @unchecked Sendable {
    // `@unchecked`: `pending`, `finished`, `stopping` and `running` are only touched under
    // `lock`; the replica is thread-safe (GRDB serializes its writes); `makeItem` and the
    // write closures are called only on the applying thread.

    /// One PUSH to apply, and the session it came on.
    struct Job {
        let routingID: [UInt8]
        let key: String
        let batch: ChangeBatch
        let center: String
        let rejected: [RejectedRecord]
        /// The node's status fields queued before this push (its HELLO's backlog…): written
        /// in the push's transaction, before what the push itself says of the node.
        var status: [String: DatabaseValue] = [:]
        var records: Int { batch.records.count }
    }

    /// Some other write (the registry's status rows), with a name for the log.
    struct Write {
        let label: String
        let body: (Database) throws -> Void
    }

    /// What was done: a push applied (committed or rolled back), or a write.
    enum Done {
        case push(Job, Result<ApplyResult, any Error>)
        case write(Write, (any Error)?)
    }

    private enum Work {
        case push(Job)
        case write(Write)
    }

    /// A group stops growing at this many pushes or records: one transaction stays short
    /// enough that the other connections' registry writes do not wait long for it.
    static let maxGroupJobs = 16
    static let maxGroupRecords = 8_000

    private let replica: Replica
    private let makeItem: (Job) -> Replica.ApplyItem
    private let wake: @Sendable () -> Void
    private let logger: Logger
    let threaded: Bool
    private let lock = NSCondition()
    private var pending: [Work] = []
    private var finished: [Done] = []
    private var stopping = false
    private var running = false

    init(replica: Replica, threaded: Bool, wake: @escaping @Sendable () -> Void, logger: Logger,
         makeItem: @escaping (Job) -> Replica.ApplyItem) {
        self.replica = replica
        self.threaded = threaded
        self.wake = wake
        self.logger = logger
        self.makeItem = makeItem
    }

    /// Starts the applying thread (threaded only).
    func start() {
        guard threaded else { return }
        lock.lock()
        running = true
        lock.unlock()
        let thread = Thread { [self] in self.run() }
        thread.name = "gatehouse push applier"
        thread.start()
    }

    /// Queues a push; it is applied after everything queued before it.
    func submit(_ job: Job) { enqueue(.push(job)) }

    /// Queues a write; it runs after everything queued before it, in its own transaction.
    func submit(write label: String, _ body: @escaping (Database) throws -> Void) { enqueue(.write(Write(label: label, body: body))) }

    private func enqueue(_ w: Work) {
        lock.lock()
        pending.append(w)
        lock.signal()
        lock.unlock()
    }

    /// Work done since the last call, in submission order. Inline, does the queued work first.
    func completed() -> [Done] {
        if !threaded {
            while let batch = takeBatch() { process(batch) }
        }
        lock.lock()
        defer { lock.unlock() }
        let done = finished
        finished = []
        return done
    }

    /// Whether anything is queued or being done.
    var isIdle: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pending.isEmpty && (!threaded || !busy)
    }
    private var busy = false

    /// Finishes what is being applied, drops what waits (never acknowledged, so the nodes
    /// send it again; queued writes are done inline), and waits for the thread to end.
    func stop() {
        lock.lock()
        stopping = true
        let writes = pending.compactMap { if case .write(let w) = $0 { w } else { nil } }
        pending = []
        lock.broadcast()
        while running { lock.wait() }
        lock.unlock()
        for w in writes { process(.writes([w])) }
    }

    private enum Batch {
        case pushes([Job])
        case writes([Write])
    }

    /// The next group of pushes, or the next write, under the lock; nil when nothing waits.
    private func takeBatch() -> Batch? {
        lock.lock()
        defer { lock.unlock() }
        guard let first = pending.first else { return nil }
        busy = true
        if case .write(let w) = first {
            pending.removeFirst()
            return .writes([w])
        }
        var group: [Job] = []
        var records = 0
        while case .push(let next)? = pending.first, group.isEmpty
            || (group.count < Self.maxGroupJobs && records + next.records <= Self.maxGroupRecords) {
            group.append(next)
            pending.removeFirst()
            records += next.records
        }
        return .pushes(group)
    }

    private func process(_ batch: Batch) {
        var done: [Done] = []
        switch batch {
        case .pushes(let group):
            let results = replica.apply(group.map(makeItem))
            done = zip(group, results).map { Done.push($0, $1) }
        case .writes(let writes):
            for w in writes {
                do {
                    try replica.database.write { db in try w.body(db) }
                    done.append(.write(w, nil))
                } catch {
                    done.append(.write(w, error))
                }
            }
        }
        lock.lock()
        finished += done
        busy = false
        lock.unlock()
    }

    private func run() {
        defer {
            lock.lock()
            running = false
            lock.broadcast()
            lock.unlock()
        }
        while true {
            lock.lock()
            while pending.isEmpty && !stopping { lock.wait() }
            if stopping {
                lock.unlock()
                return
            }
            lock.unlock()
            guard let batch = takeBatch() else { continue }
            process(batch)
            wake()
        }
    }
}
