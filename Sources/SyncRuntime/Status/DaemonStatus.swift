import Foundation

/// A daemon (`node run` or `hub run`) as its data directory's lock shows it: the same
/// shape in `status` and `hub status`.
public struct DaemonStatus: Codable, Sendable {
    public var running: Bool
    public var pid: Int32?
    /// Its last sign of life (or when it stopped).
    public var heartbeatAt: Date?
    enum CodingKeys: String, CodingKey { case running, pid, heartbeatAt }
    /// Encodes every key, `null` included: the status JSON always has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(running, forKey: .running)
        try c.encode(pid, forKey: .pid)
        try c.encode(heartbeatAt, forKey: .heartbeatAt)
    }
}
