import Replication

/// What the desk refuses, worded for the person at the front desk.
public enum DeskError: Error, CustomStringConvertible, Equatable {
    case notInitialized(String)
    case invalid(String)
    case notFound(String)
    case refused(String)

    public var description: String {
        switch self {
        case .notInitialized(let p): return "\(p) is not a gatehouse data directory (run `gatehouse node init` or `gatehouse hub init` first)"
        case .invalid(let m), .notFound(let m), .refused(let m): return m
        }
    }
}
