import Foundation
import Synchronization

/// SIGINT/SIGTERM as a flag the runtimes' poll loops check between polls (they poll at
/// most every 100 ms), so a stop finishes the current transaction and closes sockets
/// cleanly.
public enum StopSignal {
    static let flag = Atomic<Bool>(false)

    /// Installs the handlers (idempotent). Call it from the main thread.
    public static func install() {
        signal(SIGINT) { _ in StopSignal.flag.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in StopSignal.flag.store(true, ordering: .relaxed) }
        // A process inherits its parent's signal mask: one started by a supervisor that
        // blocks signals in the spawning thread (Foundation's Process from a Dispatch
        // thread does) would otherwise never see SIGTERM and could only be SIGKILLed.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// For tests and embedding: ask the loops to stop.
    public static func request() { flag.store(true, ordering: .relaxed) }
    public static func reset() { flag.store(false, ordering: .relaxed) }
}
