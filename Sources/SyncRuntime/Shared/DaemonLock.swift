import Foundation
import ServiceDesk

/// One daemon (`node run` or `hub run`) per data directory: an exclusive `flock` on
/// `daemon.lock` there, held for the daemon's life, with its pid written inside.
///
/// The lock is also the daemon's sign of life, at no database write: the kernel drops it
/// when the process dies however it dies, so a status reader tells a live daemon from a
/// dead one by probing it, and the file's modification time (touched every few seconds,
/// no fsync) says when the daemon last went round its loop.
public final class DaemonLock {
    public static let fileName = "daemon.lock"

    /// Whether a daemon holds the directory's lock, its pid, and its last beat.
    public struct Holder: Sendable, Equatable {
        public var running: Bool
        public var pid: Int32?
        /// When the daemon last beat (the lock file's modification time); when it stopped,
        /// if it is not running.
        public var beatAt: Date?
    }

    private let fd: Int32
    public let url: URL

    private init(fd: Int32, url: URL) {
        self.fd = fd
        self.url = url
    }

    deinit { close(fd) }

    static func url(_ dir: DataDirectory) -> URL { dir.url.appendingPathComponent(fileName) }

    /// Takes the directory's lock for this process, or refuses with who holds it. Taken
    /// before the daemon writes anything, so a refused second daemon leaves the running
    /// one's status as it was.
    public static func acquire(_ dir: DataDirectory, what: String) throws -> DaemonLock {
        let url = url(dir)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RuntimeError.configuration("cannot open \(url.path): \(String(cString: strerror(errno)))")
        }
        // A status reader probes with a shared lock for an instant: try a few times.
        var tries = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            tries += 1
            guard e == EWOULDBLOCK || e == EINTR, tries < 20 else {
                close(fd)
                if e != EWOULDBLOCK && e != EINTR {
                    throw RuntimeError.configuration("cannot lock \(url.path): \(String(cString: strerror(e)))")
                }
                let pid = readPID(url).map { " (pid \($0))" } ?? ""
                throw RuntimeError.configuration(
                    "another gatehouse daemon\(pid) is already running on \(dir.url.path); only one \(what) may run per data directory")
            }
            usleep(20_000)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return DaemonLock(fd: fd, url: url)
    }

    /// Shows the daemon alive: moves the lock file's modification time (an inode update
    /// the kernel writes back lazily; no fsync, nothing in the database).
    public func beat() {
        _ = futimens(fd, nil)
    }

    /// Who holds `dir`'s lock, without disturbing them: a shared lock that succeeds means
    /// no daemon holds the exclusive one.
    public static func probe(_ dir: DataDirectory) -> Holder {
        let url = url(dir)
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return Holder(running: false, pid: nil, beatAt: nil) }
        defer { close(fd) }
        var st = stat()
        let beat = fstat(fd, &st) == 0
            ? Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9) : nil
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return Holder(running: false, pid: nil, beatAt: beat)
        }
        return Holder(running: true, pid: readPID(url), beatAt: beat)
    }

    static func readPID(_ url: URL) -> Int32? {
        (try? String(contentsOf: url, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
