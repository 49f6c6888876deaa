import Foundation
import ServiceDesk
import ZeroMQ

/// A data directory's CURVE keypair: `keys/curve.public` and `keys/curve.secret`
/// (mode 0600). The secret key never leaves the directory.
public struct KeyStore: Sendable {
    public let directory: DataDirectory
    public init(_ directory: DataDirectory) { self.directory = directory }

    var keysURL: URL { directory.url.appendingPathComponent("keys") }
    var publicURL: URL { keysURL.appendingPathComponent("curve.public") }
    var secretURL: URL { keysURL.appendingPathComponent("curve.secret") }

    /// Generates and stores a new keypair; refuses to replace an existing one.
    @discardableResult
    public func create() throws -> CurveKeyPair {
        try ZeroMQ.requireCurve()
        let fm = FileManager.default
        guard !fm.fileExists(atPath: secretURL.path) else {
            throw RuntimeError.configuration("\(secretURL.path) already exists; refusing to replace the keypair")
        }
        try fm.createDirectory(at: keysURL, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let pair = try CurveKeyPair.generate()
        guard fm.createFile(atPath: secretURL.path, contents: Data((pair.secretKey + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw RuntimeError.configuration("cannot write \(secretURL.path)")
        }
        try Data((pair.publicKey + "\n").utf8).write(to: publicURL, options: .atomic)
        return pair
    }

    /// Loads the keypair, checking the two halves belong together.
    public func load() throws -> CurveKeyPair {
        guard let s = try? String(contentsOf: secretURL, encoding: .utf8) else {
            throw RuntimeError.configuration("no CURVE keys in \(keysURL.path); this directory was created without them")
        }
        let secret = s.trimmingCharacters(in: .whitespacesAndNewlines)
        let derived = try CurveKeyPair.derivePublicKey(fromSecret: secret)
        return try CurveKeyPair(publicKey: derived, secretKey: secret)
    }

    public var exists: Bool { FileManager.default.fileExists(atPath: secretURL.path) }
}

/// What the sync runtimes refuse or fail at, for a person.
public enum RuntimeError: Error, CustomStringConvertible, Equatable {
    case configuration(String)
    case unreachable(String)
    case refused(code: Int, reason: String)
    case timeout(String)
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .configuration(let m): return m
        case .unreachable(let m): return "hub unreachable: \(m)"
        case .refused(let code, let reason): return "hub refused (\(code)): \(reason)"
        case .timeout(let m): return "timed out: \(m)"
        case .protocolViolation(let m): return "protocol error: \(m)"
        }
    }
}
