import GRDB

/// A field value as SQLite stores it.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The kind's name on the wire: null, integer, real, text, blob.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .integer: return "integer"
        case .real: return "real"
        case .text: return "text"
        case .blob: return "blob"
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var text: String? { if case .text(let s) = self { return s } else { return nil } }
    public var integer: Int64? {
        switch self {
        case .integer(let i): return i
        case .real(let d): return Int64(exactly: d)
        default: return nil
        }
    }
    public var real: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .text(let s): return s
        case .blob(let b): return "<\(b.count) bytes>"
        }
    }

    /// A total order (NULL < integers and reals < text < blobs) used to sort set
    /// elements and to break ties deterministically.
    public static func canonicalLess(_ a: Value, _ b: Value) -> Bool {
        func rank(_ v: Value) -> Int {
            switch v {
            case .null: return 0
            case .integer, .real: return 1
            case .text: return 2
            case .blob: return 3
            }
        }
        let ra = rank(a), rb = rank(b)
        if ra != rb { return ra < rb }
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y
        case (.text(let x), .text(let y)): return Array(x.utf8).lexicographicallyPrecedes(y.utf8)
        case (.blob(let x), .blob(let y)): return x.lexicographicallyPrecedes(y)
        default:
            let x = a.real ?? 0, y = b.real ?? 0
            if x != y { return x < y }
            // 1 and 1.0: integers first, so the order stays total.
            if case .integer = a, case .real = b { return true }
            return false
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
{
    public init(stringLiteral s: String) { self = .text(s) }
    public init(integerLiteral i: Int64) { self = .integer(i) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral d: Double) { self = .real(d) }
    public init(booleanLiteral b: Bool) { self = .integer(b ? 1 : 0) }
}

extension Value {
    /// Wraps an optional string: nil becomes NULL.
    public init(_ s: String?) { self = s.map { .text($0) } ?? .null }
    /// Wraps an optional integer: nil becomes NULL.
    public init(_ i: Int?) { self = i.map { .integer(Int64($0)) } ?? .null }
    /// Booleans are stored as 0/1 integers.
    public init(_ b: Bool) { self = .integer(b ? 1 : 0) }
}

extension Value: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return Data(b).databaseValue
        }
    }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Value? {
        switch dbValue.storage {
        case .null: return .null
        case .int64(let i): return .integer(i)
        case .double(let d): return .real(d)
        case .string(let s): return .text(s)
        case .blob(let d): return .blob([UInt8](d))
        }
    }
}

import Foundation
