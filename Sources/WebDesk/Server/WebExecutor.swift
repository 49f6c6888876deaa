import NIOPosix

/// The threads the web front end's tasks run on: a pool of its own, not Swift's global
/// cooperative pool (two threads on a two-core machine).
///
/// Pages read and write SQLite, which blocks; on the cooperative pool a few slow requests
/// would stall every other task of the process, and anything else that blocks a
/// cooperative thread (a test waiting on a socket) would stall the server. Every task of
/// the server, and each connection's child tasks, prefers this executor.
final class WebExecutor: TaskExecutor, Sendable {
    private let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool._start(threadNamePrefix: "gatehouse-web-")
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        pool.submit { _ in job.runSynchronously(on: executor) }
    }

    /// Stops the threads once their queued jobs have run.
    func shutdown() {
        try? pool.syncShutdownGracefully()
    }
}
