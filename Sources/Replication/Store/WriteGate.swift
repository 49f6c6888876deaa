import CSQLiteConfig
import GRDB

/// The gate of the replicated tables, open for one engine transaction: their guard
/// triggers (`Storage.prepareTable`) refuse every write unless the engine opened it on the
/// connection.
///
/// A statement on a table with a trigger gets a statement journal: SQLite copies every
/// page each INSERT touches (16 KiB a record) into a temporary file, 350 MiB for 100K
/// pushed records. The guard passes anyway while the gate is open, so once a transaction
/// has written ``bulkRecords`` records the engine turns trigger processing off on its
/// connection until the gate closes. Not from the first record: SQLite then compiles every
/// prepared statement of the connection again, twice, which would triple the cost of the
/// front desk's one-record transactions. Other connections, tools such as the `sqlite3`
/// shell, and this connection outside the gate always meet the triggers.
final class WriteGate {
    /// Records after which a transaction goes on without triggers.
    static let bulkRecords = 64

    private let db: Database
    private var records = 0
    private var triggersOff = false

    private init(_ db: Database) { self.db = db }

    /// Runs `body` with the gate open on `db` (the writer, inside its transaction).
    static func withOpenGate<T>(_ db: Database, _ body: (WriteGate) throws -> T) throws -> T {
        try db.cachedStatement(sql: "SELECT gatehouse_gate(1)").execute()
        let gate = WriteGate(db)
        defer {
            if gate.triggersOff {
                // Cannot fail for a known option; a connection left without its guard must not go on.
                precondition(gatehouse_sqlite_set_triggers(db.sqliteConnection, 1) == 1, "SQLite did not turn triggers back on")
            }
            _ = try? db.cachedStatement(sql: "SELECT gatehouse_gate(0)").execute()
        }
        return try body(gate)
    }

    /// Called before each record the transaction writes, or tries to (an apply's INSERT
    /// that finds the record already stored, and merges instead).
    func willWriteRecord() {
        records += 1
        // -1: this SQLite refused to turn triggers off; the guard passes (gate open), only slower.
        if records == Self.bulkRecords && gatehouse_sqlite_set_triggers(db.sqliteConnection, 0) == 0 {
            triggersOff = true
        }
    }
}
