import Foundation

/// Health levels with monitoring exit codes (Nagios convention): 0 ok, 1 warning, 2 critical.
public enum Health: String, Codable, Sendable, Comparable {
    case ok, warning, critical

    public var exitCode: Int32 {
        switch self {
        case .ok: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }

    public static func < (a: Health, b: Health) -> Bool { a.exitCode < b.exitCode }
}

/// Thresholds for warnings and critical states. Defaults suit a center that syncs every
/// few seconds when the line is up.
public struct StatusThresholds: Codable, Sendable, Equatable {
    /// Changes waiting to go out.
    public var backlogWarning = 1_000
    public var backlogCritical = 10_000
    /// Age of the oldest change waiting to go out, seconds.
    public var pendingAgeWarning: TimeInterval = 3_600
    public var pendingAgeCritical: TimeInterval = 86_400
    /// How long a node has been offline (not in contact with the hub), seconds.
    public var offlineWarning: TimeInterval = 3_600
    public var offlineCritical: TimeInterval = 86_400
    /// Hub log positions a node was behind at its last contact.
    public var lagWarning: Int64 = 1_000
    public var lagCritical: Int64 = 10_000
    public init() {}
}

/// One reason a status is not healthy.
public struct Problem: Codable, Sendable, Equatable {
    public var level: Health
    public var message: String
    public init(_ level: Health, _ message: String) {
        self.level = level
        self.message = message
    }
}

enum Fingerprint {
    /// A short, stable fingerprint of a key for people to compare: FNV-1a 64 in hex pairs.
    static func of(_ key: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(format: "%016llx", h)
        return stride(from: 0, to: 16, by: 4).map { i in
            String(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 4)])
        }.joined(separator: ":")
    }
}

/// Durations for people: 45s, 12m, 3h5m, 2d4h.
public enum Ages {
    public static func text(_ seconds: TimeInterval) -> String { describe(seconds) }

    static func describe(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        if s < 120 { return "\(s)s" }
        if s < 7200 { return "\(s / 60)m" }
        if s < 172_800 { return "\(s / 3600)h\((s % 3600) / 60)m" }
        return "\(s / 86400)d\((s % 86400) / 3600)h"
    }
}
