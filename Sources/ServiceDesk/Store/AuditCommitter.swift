import Foundation
import Synchronization

/// Group commit for the audit trail: entries that several clerks' pages record at the same
/// moment go into one transaction, so one fsync of the WAL serves them all instead of
/// one fsync each, one after the other, on the database's single writer.
///
/// Nothing is weakened: every caller returns only once its own entries are committed (or
/// throws the error that kept them out), so no page shows clear data before its view is
/// recorded; one caller's entries stay together and in order in the chain. Nobody waits
/// for company either: a caller that finds no audit write in progress writes at once
/// (alone, when the desk is quiet); callers arriving during a write queue up, and the first
/// of them writes the whole queue next.
final class AuditCommitter: Sendable {
    /// One caller's entries, and how their batch ended.
    private final class Waiter: @unchecked Sendable {
        let events: [AuditEvent]
        let wake = DispatchSemaphore(value: 0)
        // Written by the batch's writer before `wake.signal()`, read after `wake.wait()`.
        var committed = false
        var error: (any Error)?
        init(_ events: [AuditEvent]) { self.events = events }
    }

    private struct State {
        var queue: [Waiter] = []
        var writing = false
    }

    private let state = Mutex(State())

    /// Commits `events` through `write` (one transaction for everything it is given),
    /// together with whatever other callers queued meanwhile; returns once they are in.
    func commit(_ events: [AuditEvent], _ write: ([AuditEvent]) throws -> Void) throws {
        let me = Waiter(events)
        let leads = state.withLock { s -> Bool in
            s.queue.append(me)
            guard !s.writing else { return false }
            s.writing = true
            return true
        }
        if !leads {
            me.wake.wait()
            if me.committed {
                if let e = me.error { throw e }
                return
            }
            // Woken without being committed: this caller writes the next batch.
        }
        let batch = state.withLock { s -> [Waiter] in
            let b = s.queue
            s.queue = []
            return b
        }
        var failure: (any Error)?
        do { try write(batch.flatMap(\.events)) } catch { failure = error }
        for w in batch {
            w.error = failure
            w.committed = true
        }
        // Whoever queued during this write leads the next batch; the flag stays set so no
        // newcomer writes beside it.
        let next = state.withLock { s -> Waiter? in
            if let n = s.queue.first { return n }
            s.writing = false
            return nil
        }
        for w in batch where w !== me { w.wake.signal() }
        next?.wake.signal()
        if let failure { throw failure }
    }
}
