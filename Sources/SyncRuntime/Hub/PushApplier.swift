import Foundation
import Logging
import Replication
import SyncProtocol
import ZeroMQ

/// Applies pushed change sets on a thread of its own, so that the hub's socket thread goes
/// on receiving, decoding and answering heartbeats while SQLite works (pipelining).
///
/// Whatever is queued when the thread comes round commits in one transaction (group
/// commit: one WAL sync for several pushes); a push that fails is the only one lost
/// (`Replica.apply(_:)` then applies the others one by one). Results come back in
/// submission order through ``completed()``; after each commit a message on an
/// `inproc://` PAIR socket wakes the socket thread's poll.
/// Nothing is acknowledged here: the socket thread sends each ACK after its commit.
final class PushApplier: @unchecked Sendable {
    // `@unchecked`: `pending`, `finished` and `stopping` are only touched under `lock`; the
    // replica is thread-safe (GRDB serializes its writes); `makeItem` is called only on the
    // applier's thread.

    /// One PUSH to apply, and the session it came on.
    struct Job {
        let routingID: [UInt8]
        let key: String
        let batch: ChangeBatch
        let center: String
        let rejected: [RejectedRecord]
        var records: Int { batch.records.count }
    }

    /// An applied (committed or rolled back) job.
    struct Done {
        let job: Job
        let result: Result<ApplyResult, any Error>
    }

    /// A group stops growing at this many pushes or records: one transaction stays short
    /// enough that the other connections' registry writes do not wait long for it.
    static let maxGroupJobs = 16
    static let maxGroupRecords = 8_000

    private let replica: Replica
    private let makeItem: (Job) -> Replica.ApplyItem
    private let context: ZMQContext
    private let wakeEndpoint: String
    private let logger: Logger
    private let lock = NSCondition()
    private var pending: [Job] = []
    private var finished: [Done] = []
    private var stopping = false
    private var running = false
    /// The socket thread's end of the wake-up pair: readable after each group.
    let wakeSocket: ZMQSocket

    /// Binds the wake-up socket on the calling thread (the socket thread, which owns it).
    init(replica: Replica, context: ZMQContext, logger: Logger, makeItem: @escaping (Job) -> Replica.ApplyItem) throws {
        self.replica = replica
        self.context = context
        self.logger = logger
        self.makeItem = makeItem
        wakeEndpoint = "inproc://gatehouse-push-applier-\(UUID().uuidString)"
        wakeSocket = try context.makeSocket(.pair)
        try wakeSocket.bind(wakeEndpoint)
    }

    /// Starts the applying thread.
    func start() {
        lock.lock()
        running = true
        lock.unlock()
        let thread = Thread { [self] in self.run() }
        thread.name = "gatehouse push applier"
        thread.start()
    }

    /// Queues a push; it is applied after every push queued before it.
    func submit(_ job: Job) {
        lock.lock()
        pending.append(job)
        lock.signal()
        lock.unlock()
    }

    /// Pushes applied since the last call, in submission order.
    func completed() -> [Done] {
        lock.lock()
        defer { lock.unlock() }
        let done = finished
        finished = []
        return done
    }

    /// Finishes the group being applied, drops what waits (never acknowledged, so the
    /// nodes send it again), and waits for the thread to end. Then closes the wake socket.
    func stop() {
        lock.lock()
        stopping = true
        pending = []
        lock.broadcast()
        while running { lock.wait() }
        lock.unlock()
        wakeSocket.close()
    }

    private func run() {
        // The thread's own end of the pair: a socket belongs to the thread that uses it.
        let wake = try? context.makeSocket(.pair)
        try? wake?.connect(wakeEndpoint)
        defer {
            wake?.close()
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
            var group: [Job] = []
            var records = 0
            while let next = pending.first, group.isEmpty
                || (group.count < Self.maxGroupJobs && records + next.records <= Self.maxGroupRecords) {
                group.append(pending.removeFirst())
                records += next.records
            }
            lock.unlock()
            let results = replica.apply(group.map(makeItem))
            lock.lock()
            finished += zip(group, results).map { Done(job: $0, result: $1) }
            lock.unlock()
            do {
                try wake?.send([[1]], dontWait: true)
            } catch {
                // A full pipe means the socket thread has wake-ups waiting already.
                logger.trace("push applier wake-up not sent", metadata: ["error": "\(error)"])
            }
        }
    }
}
