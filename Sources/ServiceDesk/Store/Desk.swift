import Foundation
import GRDB
import Logging
import Replication

/// Who is acting, and when: derived by the desk from its signed-in principal and clock,
/// never given by a caller (package-visible for the web desk's pages, which show it).
package struct Acting: Sendable {
    package var staff: String
    package var now: Date
    package var role: StaffRole?
    package init(staff: String, now: Date = Date(), role: StaffRole? = nil) {
        self.staff = staff
        self.now = now
        self.role = role
    }
}

/// The staff member a desk is opened for: their id, and their role and center as the
/// staff directory holds them when the desk is opened (never as a caller claims them).
public struct Principal: Sendable, Hashable, Codable {
    public var staff: String
    public var name: String
    public var role: StaffRole?
    /// The staff member's home center (`HQ` for head office).
    public var center: String?
}

/// Where a desk's time comes from: the real clock, or — only on a data directory created
/// for demonstration (`DirectoryConfig.demoClock`) — a simulated one.
public struct DeskClock: Sendable {
    private let read: @Sendable () -> Date
    /// Whether the time is set by the user rather than the machine's clock.
    public let isSimulated: Bool

    /// The machine's clock.
    public static let system = DeskClock(read: { Date() }, isSimulated: false)

    /// A fixed business time for demonstrations and tests; a production directory refuses it.
    public static func simulated(_ at: Date) -> DeskClock { DeskClock(read: { at }, isSimulated: true) }

    /// A business time that starts at `start` and moves on like a real clock (a
    /// demonstration's daemon); a production directory refuses it.
    public static func simulated(startingAt start: Date) -> DeskClock {
        let began = Date()
        return DeskClock(read: { start.addingTimeInterval(Date().timeIntervalSince(began)) }, isSimulated: true)
    }

    public var now: Date { read() }
}

/// A center's (or head office's) service desk over its replica: the operations the
/// front desk performs, each one local transaction through the replication engine.
///
/// The desk authorizes itself: it is opened for one signed-in staff member and a clock
/// (``signedIn(as:clock:)``), and every write and every read of personal data checks
/// ``Permissions`` and ``Visibility`` for that principal, so no front end (the command
/// line, the browser desk) can forget a check. A desk opened without a principal
/// (``open(_:options:)``, for status, sync and the daemons) writes nothing and shows no
/// personal data.
///
/// ```swift
/// let desk = try Desk.open(DataDirectory(path: "/srv/c001")).signedIn(as: "S001")
/// let customer = try desk.addCustomer(CustomerInput(name: "张三", phone: "13812345678", unit: "3栋2单元1101"))
/// let ticket = try desk.openTicket(TicketInput(kind: .repair, channel: .phone, summary: "厨房漏水", customer: customer))
/// ```
public final class Desk: Sendable {
    let replica: Replica
    public let config: DirectoryConfig
    public let directory: DataDirectory
    /// Who the desk acts for; nil for an unattended desk (status, sync).
    public let principal: Principal?
    /// Where the desk's time comes from.
    public let clock: DeskClock
    /// Commits audit entries recorded at the same moment together: shared by every desk
    /// signed in over the same open replica (the daemon's pages).
    let audits: AuditCommitter

    /// The replica underneath, bypassing every permission and visibility check: for the
    /// sync runtime, status views and tests only, never for what a user asks for.
    public var unsafeReplica: Replica { replica }

    /// This desk's center code (`HQ` at the hub).
    public var center: String { config.center }
    public var isHub: Bool { config.role == .hub }
    /// The desk's time now.
    public var now: Date { clock.now }

    init(replica: Replica, config: DirectoryConfig, directory: DataDirectory, principal: Principal? = nil, clock: DeskClock = .system,
         audits: AuditCommitter = AuditCommitter()) {
        self.replica = replica
        self.config = config
        self.directory = directory
        self.principal = principal
        self.clock = clock
        self.audits = audits
    }

    /// This desk acting for `staff`, whose role and center come from the staff directory.
    /// Refuses an unknown or inactive member, and a simulated clock on a directory not
    /// created for demonstration.
    public func signedIn(as staff: String, clock: DeskClock = .system) throws -> Desk {
        let clock = try permitted(clock)
        let id = staff.trimmingWhitespace()
        guard !id.isEmpty else { throw DeskError.invalid("not logged in: run `gatehouse login --user ID` first") }
        guard let member = try replica.read({ db in try StaffMember.fetchOne(db, sql: "SELECT * FROM staff WHERE id = ?", arguments: [id]) }) else {
            throw DeskError.refused("unknown staff member \(id); see `gatehouse staff list`")
        }
        guard member.active else { throw DeskError.refused("staff member \(id) is no longer active") }
        let principal = Principal(staff: member.id, name: member.name, role: member.role.flatMap { try? StaffRole.parse($0) },
                                  center: member.center)
        return Desk(replica: replica, config: config, directory: directory, principal: principal, clock: clock, audits: audits)
    }

    /// `clock`, unless it is simulated and this directory was not created for
    /// demonstration: a production directory's users cannot set the clock.
    public func permitted(_ clock: DeskClock) throws -> DeskClock {
        if clock.isSimulated && !config.demoClock {
            throw DeskError.refused("this data directory was not created for demonstration (--demo); its clock cannot be set (--now, GATEHOUSE_NOW)")
        }
        return clock
    }

    /// Whether `path` lies inside the data directory (after resolving symbolic links), so
    /// an output file can never overwrite the database, its keys or its session.
    public func holds(path: String) -> Bool {
        let dir = directory.url.resolvingSymlinksInPath().standardizedFileURL.path
        var target = URL(fileURLWithPath: path).standardizedFileURL
        // The file may not exist yet: resolve its directory.
        let parent = target.deletingLastPathComponent().resolvingSymlinksInPath()
        target = parent.appendingPathComponent(target.lastPathComponent)
        let t = target.resolvingSymlinksInPath().standardizedFileURL.path
        return t == dir || t.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/")
    }

    /// The signed-in principal; refuses an unattended desk.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw DeskError.refused("not logged in: run `gatehouse login --user ID` first") }
        return principal
    }

    /// Who acts, now; refuses an unattended desk.
    package func acting() throws -> Acting {
        let p = try requirePrincipal()
        return Acting(staff: p.staff, now: clock.now, role: p.role)
    }

    /// Checks that the principal may perform `action`; a refusal is recorded in the audit
    /// trail (and nothing else is written) before `PermissionDenied` is thrown.
    @discardableResult
    func authorize(_ action: Action) throws -> Acting {
        let me = try acting()
        guard Permissions.allows(me.role, action) else { throw denied(me, action) }
        return me
    }

    /// Checks, for a front end about to do something outside the desk's own records (node
    /// enrollment), that the principal may perform `action`; a refusal is audited.
    public func require(_ action: Action) throws {
        try authorize(action)
    }

    /// Records a refused action and returns the error to throw.
    func denied(_ me: Acting, _ action: Action, detail: String? = nil) -> PermissionDenied {
        try? recordAudit(AuditEvent(action: "denied", staff: me.staff, role: me.role?.rawValue, detail: detail ?? action.rawValue, at: me.now))
        return PermissionDenied(role: me.role, action: action)
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

    /// Opens an existing node or hub, unattended: sign in (``signedIn(as:clock:)``) to act.
    public static func open(_ dir: DataDirectory, options: Replica.Options = Replica.Options()) throws -> Desk {
        let config = try dir.loadConfig()
        DataDirectory.restrictNewFiles()
        dir.restrictExisting()
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
