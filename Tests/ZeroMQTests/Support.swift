import Foundation
import ZeroMQ

/// A lock-protected value the tests share with callbacks running on the ZAP thread.
final class Box<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
    var current: Value { withLock { $0 } }
}

/// Polls `condition` until it holds or `timeout` passes; never hangs a test.
func eventually(within timeout: Duration = .seconds(2), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return condition()
}

/// How long `body` takes.
func elapsed(_ body: () throws -> Void) rethrows -> Duration {
    let start = ContinuousClock.now
    try body()
    return ContinuousClock.now - start
}

extension ZMQSocket {
    /// Binds to an ephemeral loopback port and returns the resolved endpoint.
    func bindEphemeral() throws -> String {
        try bind("tcp://127.0.0.1:*")
        return try lastEndpoint
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
