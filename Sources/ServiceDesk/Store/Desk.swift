import Foundation
import GRDB
import Logging
import Replication

/// Who is acting, and when. Every write records both. `role` is the staff member's
/// role from the directory when acting through a login session.
public struct Acting: Sendable {
    public var staff: String
    public var now: Date
    public var role: StaffRole?
    public init(staff: String, now: Date = Date(), role: StaffRole? = nil) {
        self.staff = staff
        self.now = now
        self.role = role
    }
}

/// A center's (or head office's) service desk over its replica: the operations the
/// front desk performs, each one local transaction through the replication engine.
///
/// ```swift
/// let desk = try Desk.create(in: DataDirectory(path: "/srv/c001"), role: .node, center: "C001", name: "阳光花园服务中心")
/// let me = Acting(staff: "S001")
/// let customer = try desk.addCustomer(CustomerInput(name: "张三", phone: "13812345678", unit: "3栋2单元1101"), by: me)
/// let ticket = try desk.openTicket(TicketInput(kind: .repair, channel: .phone, summary: "厨房漏水", customer: customer), by: me)
/// ```
public final class Desk: Sendable {
    public let replica: Replica
    public let config: DirectoryConfig
    public let directory: DataDirectory

    /// This desk's center code (`HQ` at the hub).
    public var center: String { config.center }
    public var isHub: Bool { config.role == .hub }

    init(replica: Replica, config: DirectoryConfig, directory: DataDirectory) {
        self.replica = replica
        self.config = config
        self.directory = directory
    }

    /// Creates a new node or hub in an empty (or missing) directory.
    public static func create(in dir: DataDirectory, role: DirectoryRole, center: String, name: String,
                              demoClock: Bool = false, options: Replica.Options = Replica.Options()) throws -> Desk {
        let code = try CenterCode.validate(center)
        guard !name.trimmingWhitespace().isEmpty else { throw DeskError.invalid("a center needs a name (--name)") }
        try dir.prepareNew()
        let id = ReplicaID.generate(prefix: role == .hub ? "hub" : code)
        let config = DirectoryConfig(role: role, center: code, name: name.trimmingWhitespace(), replicaID: id.rawValue, createdAt: Date(),
                                     demoClock: demoClock)
        do {
            let replica = try Replica.create(at: dir.databasePath, id: id, schema: DeskSchema.schema, options: options)
            try dir.saveConfig(config)
            return Desk(replica: replica, config: config, directory: dir)
        } catch {
            // Leave nothing half-made behind.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dir.databasePath + suffix) }
            try? FileManager.default.removeItem(at: dir.configURL)
            throw error
        }
    }

    /// Opens an existing node or hub.
    public static func open(_ dir: DataDirectory, options: Replica.Options = Replica.Options()) throws -> Desk {
        let config = try dir.loadConfig()
        let replica = try Replica.open(at: dir.databasePath, schema: DeskSchema.schema, options: options)
        guard replica.id.rawValue == config.replicaID else {
            throw DeskError.invalid("\(dir.databasePath) belongs to replica \(replica.id), but \(dir.configURL.path) names \(config.replicaID)")
        }
        return Desk(replica: replica, config: config, directory: dir)
    }

    /// The center a new record belongs to: this node's center; at the hub it must be given.
    func recordCenter(_ requested: String?) throws -> String {
        if isHub {
            guard let requested else { throw DeskError.invalid("at head office, say which center the record belongs to (--center CODE)") }
            return try CenterCode.validate(requested)
        }
        if let requested, try CenterCode.validate(requested) != center {
            throw DeskError.refused("this node serves center \(center); it cannot create records for \(requested)")
        }
        return center
    }

    /// Runs a write as `acting.staff`, after checking the staff member may act here.
    func write<T>(_ acting: Acting, _ body: (WriteTransaction) throws -> T) throws -> T {
        let staff = acting.staff.trimmingWhitespace()
        guard !staff.isEmpty else { throw DeskError.invalid("say who is acting: log in first (gatehouse login --user ID)") }
        return try replica.write(author: staff) { tx in
            let known = try Int.fetchOne(tx.db, sql: "SELECT count(*) FROM staff") ?? 0
            if known > 0 {
                let active = try Int.fetchOne(tx.db, sql: "SELECT active FROM staff WHERE id = ?", arguments: [staff])
                guard let active else { throw DeskError.refused("unknown staff member \(staff); see `gatehouse staff list`") }
                guard active != 0 else { throw DeskError.refused("staff member \(staff) is no longer active") }
            }
            return try body(tx)
        }
    }

    /// The work calendar from the replicated calendar days (Mon–Fri, 09:00–18:00, UTC+8
    /// otherwise).
    public func workCalendar() throws -> WorkCalendar {
        try replica.read { db in
            var holidays: [CivilDate] = [], swapped: [CivilDate] = []
            for row in try Row.fetchAll(db, sql: "SELECT id, kind FROM calendar_day") {
                guard let d = try? CivilDate(row[0] as String) else { continue }
                if (row[1] as String?) == "holiday" { holidays.append(d) } else { swapped.append(d) }
            }
            return try WorkCalendar(holidays: holidays, swappedWorkingDays: swapped)
        }
    }
}

/// Center codes: 2–16 letters, digits or '-', upper-cased (`C001`, `SZ-NS-03`).
public enum CenterCode {
    public static func validate(_ s: String) throws -> String {
        let c = s.trimmingWhitespace().uppercased()
        guard (2...16).contains(c.count), c.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw DeskError.invalid("invalid center code \"\(s)\": use 2–16 letters, digits or '-' (e.g. C001)")
        }
        return c
    }
}

/// Conversions between Swift values and stored column values.
enum Col {
    static func time(_ d: Date?) -> Value { d.map { .integer(Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? .null }
    static func date(_ ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
    static func flag(_ b: Bool) -> Value { .integer(b ? 1 : 0) }
    static func text(_ s: String?) -> Value {
        guard let s else { return .null }
        let t = s.trimmingWhitespace()
        return t.isEmpty ? .null : .text(t)
    }
}

/// Ids for the desk's records: a kind prefix, a time-ordered part and the creating
/// replica's id (`tk-0k5v2mcq3n1xz7-c001-7k2m9q4x8p3r`), so two replicas never make the
/// same id (SCHEMA-v<N>.md, "Record ids"). Ids made before schema 3 have no replica part
/// and stay valid.
enum ShortID {
    static func make(_ prefix: String, _ tx: WriteTransaction) -> String {
        prefix + "-" + RecordID.ordered(replica: tx.replicaID)
    }

    /// Without the replica part: what ids were before schema 3 (two replicas could make
    /// the same one). Use `make(_:_:)`.
    @available(*, deprecated, message: "use make(prefix, tx): ids need the replica part")
    static func make(_ prefix: String) -> String { prefix + "-" + RecordID.ordered() }
}
