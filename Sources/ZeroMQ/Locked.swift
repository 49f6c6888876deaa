import Foundation

/// A value guarded by a lock, shared between the thread that owns a socket and its controllers.
///
/// `Synchronization.Mutex` would do, but it needs macOS 15 and the package supports macOS 13.
/// The `@unchecked Sendable` is justified because every access to `value` goes through `lock`.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
