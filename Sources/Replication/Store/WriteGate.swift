import CSQLiteConfig
import GRDB

/// The gate of the replicated tables: their guard triggers (`Storage.prepareTable`) refuse
/// every write unless the engine opened the gate on the connection.
///
/// While the gate is open the engine also turns trigger processing off on its connection.
/// The guard would pass anyway, but a statement on a table with a trigger gets a
/// statement journal: SQLite copied every page each INSERT touched (16 KiB per record)
/// into a temporary file, 350 MiB for 100K pushed records. Other connections, tools such
/// as the `sqlite3` shell, and this connection outside the gate still meet the triggers.
enum WriteGate {
    /// Runs `body` with the gate open on `db` (the writer, inside its transaction).
    static func withOpenGate<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "SELECT gatehouse_gate(1)").execute()
        // -1: this SQLite refused to turn triggers off; the guard passes (gate open), only slower.
        let off = gatehouse_sqlite_set_triggers(db.sqliteConnection, 0) == 0
        defer {
            if off {
                // Cannot fail for a known option; a connection left without its guard must not go on.
                precondition(gatehouse_sqlite_set_triggers(db.sqliteConnection, 1) == 1, "SQLite did not turn triggers back on")
            }
            _ = try? db.cachedStatement(sql: "SELECT gatehouse_gate(0)").execute()
        }
        return try body()
    }
}
