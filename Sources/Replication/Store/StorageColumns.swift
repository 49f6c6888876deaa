import Foundation
import GRDB
import GRDBSQLite

/// The columns of one storage row, as `RowCodec` reads them: a GRDB `Row`, or the
/// current row of a statement stepped through the C API (the hot paths: loading a
/// record before a merge, reading the log for a peer), which skips GRDB's per-row
/// copies of every value.
protocol StorageColumns {
    func value(_ i: Int) -> Value
    /// A text column (NULL reads as "").
    func text(_ i: Int) -> String
    func int(_ i: Int) -> Int64
    /// Passes a blob column's bytes (empty for NULL) without copying them.
    func withBytes<T>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T
}

extension Row: StorageColumns {
    func value(_ i: Int) -> Replication.Value { Replication.Value.fromDatabaseValue(self[i] as DatabaseValue) ?? .null }
    func text(_ i: Int) -> String { (self[i] as String?) ?? "" }
    func int(_ i: Int) -> Int64 { (self[i] as Int64?) ?? 0 }
    func withBytes<T>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let d: [UInt8] = (self[i] as Data?).map { [UInt8]($0) } ?? []
        return try d.withUnsafeBytes(body)
    }
}

/// The current row of a stepped `sqlite3_stmt` (valid until the next step or reset).
struct StatementColumns: StorageColumns {
    let stmt: OpaquePointer

    func value(_ i: Int) -> Value {
        let c = CInt(i)
        switch sqlite3_column_type(stmt, c) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(stmt, c))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(stmt, c))
        case SQLITE_TEXT: return .text(text(i))
        case SQLITE_BLOB: return .blob(withBytes(i) { [UInt8]($0) })
        default: return .null
        }
    }

    func text(_ i: Int) -> String {
        guard let p = sqlite3_column_text(stmt, CInt(i)) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, CInt(i)))), as: UTF8.self)
    }

    func int(_ i: Int) -> Int64 { sqlite3_column_int64(stmt, CInt(i)) }

    func withBytes<T>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let p = sqlite3_column_blob(stmt, CInt(i))
        return try body(UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : Int(sqlite3_column_bytes(stmt, CInt(i)))))
    }
}

extension Storage {
    /// Steps a statement GRDB prepared (its arguments already bound) through the C API,
    /// calling `body` on each row, and resets it after, so no read stays open.
    static func forEachRow(_ stmt: Statement, _ db: Database, _ body: (StatementColumns) throws -> Void) throws {
        let s = stmt.sqliteStatement
        defer { sqlite3_reset(s) }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                    sql: stmt.sql)
            }
            try body(StatementColumns(stmt: s))
        }
    }

    /// Runs a statement GRDB prepared (arguments bound) that returns no rows, through
    /// the C API: GRDB's per-execution bookkeeping costs as much as a small insert.
    static func run(_ stmt: Statement, _ db: Database) throws {
        try forEachRow(stmt, db) { _ in }
    }
}
