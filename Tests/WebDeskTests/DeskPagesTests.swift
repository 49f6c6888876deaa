import Foundation
import ServiceDesk
import SyncRuntime
import TestSupport
import Testing
@testable import WebDesk

/// The desk's pages over raw HTTP against a real `gatehouse node run`: sign-in with the
/// CLI's throttle, the clerk's flow (phone lookup → open → dispatch → complete →
/// callback), masking for a masked role, a technician refused a forged dispatch.
/// The shared lab's daemon (see `DeskPagesTests.shared`); written once, before `atexit` reads it.
nonisolated(unsafe) private var sharedDaemon: Int32 = 0

@Suite struct DeskPagesTests {
    static let password = "desk-pages-pw"

    /// A hub (never started: the node works offline) and a node with staff and a customer
    /// made by the real binary, and the node's daemon serving the desk.
    final class Lab: Sendable {
        let root: URL
        let node: String
        let daemon: Spawned
        let port: Int
        var http: RawHTTP { RawHTTP(port: port) }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("deskpages-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let hub = root.appendingPathComponent("hub").path
            node = root.appendingPathComponent("node").path
            let endpoint = "tcp://127.0.0.1:\(DaemonTests.freePort())"
            let h = try gatehouse(["hub", "init", "--data", hub, "--bind", endpoint, "--admin-password-stdin"], stdin: password + "\n", logDirectory: root)
            guard h.status == 0 else { throw BinaryMissing() }
            let key = h.out.trimmingCharacters(in: .whitespacesAndNewlines)
            try Self.ok(gatehouse(["node", "init", "--data", node, "--center", "C001", "--name", "阳光花园管理服务中心", "--hub", endpoint,
                                   "--hub-key", key, "--admin-password-stdin"], stdin: password + "\n", logDirectory: root))
            try Self.ok(gatehouse(["login", "--data", node, "--user", "admin-C001", "--password-stdin"], stdin: password + "\n", logDirectory: root))
            for (id, name, role) in [("F01", "王芳", "front-desk"), ("T01", "李师傅", "technician"), ("T02", "赵师傅", "technician"),
                                     ("K01", "钱会计", "cashier"), ("X01", "孙测试", "front-desk"),
                                     ("M01", "周经理", "center-manager")] {
                try Self.ok(gatehouse(["staff", "add", "--data", node, "--id", id, "--name", name, "--role", role, "--password-stdin"],
                                      stdin: password + "\n", logDirectory: root))
            }
            try Self.ok(gatehouse(["login", "--data", node, "--user", "F01", "--password-stdin"], stdin: password + "\n", logDirectory: root))
            try Self.ok(gatehouse(["customer", "add", "--data", node, "--name", "张三丰", "--phone", "13812345678", "--unit", "3栋2单元1101"],
                                  logDirectory: root))
            try Self.ok(gatehouse(["logout", "--data", node], logDirectory: root))
            daemon = try Spawned(["node", "run", "--data", node, "--http", "127.0.0.1:0"], logDirectory: root)
            let dir = DataDirectory(path: node)
            var url: String?
            _ = eventually(within: .seconds(60)) {
                url = WebListenerRecord.load(dir)?.url
                return url != nil
            }
            guard let url, let p = Int(url.split(separator: ":").last?.filter(\.isNumber) ?? "") else {
                daemon.kill()
                throw ProcessTimedOut(command: "node run: \(daemon.stderr)")
            }
            port = p
        }

        static func ok(_ r: CLIResult) throws {
            guard r.status == 0 else { throw CLIFailed(result: r) }
        }

        deinit {
            daemon.signal(SIGTERM)
            _ = daemon.waitExit(timeout: .seconds(20))
            daemon.kill()
            try? FileManager.default.removeItem(at: root)
        }
    }

    struct CLIFailed: Error, CustomStringConvertible {
        var result: CLIResult
        var description: String { "\(result)" }
    }

    /// Shared by the suite's tests. A `static let` is never deinitialized, so its daemon is
    /// stopped when the test process exits instead of outliving the run.
    static let shared = Result { () throws -> Lab in
        let lab = try Lab()
        sharedDaemon = lab.daemon.pid
        atexit {
            if sharedDaemon > 0 { kill(sharedDaemon, SIGTERM) }
        }
        return lab
    }

    /// A browser's worth of state: the session cookie once signed in.
    struct Browser {
        let http: RawHTTP
        var session: String?
        var headers: [String: String] { session.map { ["Cookie": "gh_session=\($0)"] } ?? [:] }

        func get(_ path: String) throws -> RawHTTP.Reply { try http.get(path, headers: headers) }

        /// Posts `form` with this session's CSRF token, as the desk's own forms do.
        func post(_ path: String, _ form: [(String, String)]) throws -> RawHTTP.Reply {
            try http.post(path, form: [("csrf", CSRFToken.make(secret: session ?? ""))] + form, headers: headers)
        }
    }

    /// Signs in through the login form; returns the reply and the browser.
    static func signIn(_ lab: Lab, _ user: String, password: String = DeskPagesTests.password) throws -> (RawHTTP.Reply, Browser) {
        let pre = try #require(try lab.http.get("/login").cookie("gh_pre"))
        let r = try lab.http.post("/login", form: [("csrf", CSRFToken.make(secret: pre)), ("user", user), ("password", password),
                                                   ("next", "/")], headers: ["Cookie": "gh_pre=\(pre)"])
        return (r, Browser(http: lab.http, session: r.cookie("gh_session")))
    }

    /// Opens a repair for the known caller as the front desk; returns its number.
    static func openRepair(_ desk: Browser, summary: String) throws -> String {
        let opened = try desk.post("/tickets", [("phone", "13812345678"), ("kind", "repair"), ("channel", "phone"), ("summary", summary)])
        #expect(opened.status == 303, "\(opened)")
        let location = try #require(opened.header("Location"))
        #expect(location.hasPrefix("/tickets/C001-"))
        return String(location.dropFirst("/tickets/".count).prefix { $0 != "?" })
    }

    @Test func signingInSetsAStrictSessionCookieAndLogoutEndsItOnTheServer() throws {
        let lab = try Self.shared.get()
        // Nothing but the login page without a session.
        let anonymous = try lab.http.get("/customers?q=1381")
        #expect(anonymous.status == 303)
        #expect(anonymous.header("Location") == "/login?next=%2Fcustomers%3Fq%3D1381")
        let (wrong, _) = try Self.signIn(lab, "F01", password: "not-it")
        let (unknown, _) = try Self.signIn(lab, "nobody", password: "not-it")
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(wrong.body.contains("工号或密码错误") && unknown.body.contains("工号或密码错误"), "the same answer either way")
        #expect(wrong.cookie("gh_session") == nil)

        let (ok, browser) = try Self.signIn(lab, "F01")
        #expect(ok.status == 303, "\(ok)")
        #expect(ok.header("Location") == "/")
        let cookie = try #require(ok.all("Set-Cookie").first { $0.hasPrefix("gh_session=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
        let home = try browser.get("/")
        #expect(home.status == 200, "\(home)")
        #expect(home.body.contains("工作台") && home.body.contains("王芳"))
        PlumbingTests.expectSecurityHeaders(home)
        #expect(home.header("Cache-Control") == "no-store")
        // The database holds the token's hash only.
        let sessions = try WebSessions(directory: DataDirectory(path: lab.node))
        let token = try #require(browser.session)
        #expect(try sessions.verify(token, now: Date())?.staff == "F01")
        let file = try Data(contentsOf: URL(fileURLWithPath: sessions.path))
        #expect(file.range(of: Data(token.utf8)) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: sessions.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let out = try browser.post("/logout", [])
        #expect(out.status == 303)
        #expect(out.all("Set-Cookie").contains { $0.hasPrefix("gh_session=;") || $0.hasPrefix("gh_session=\"\"") || $0.contains("Max-Age=0") })
        // The old cookie no longer signs anybody in, even if the browser kept it.
        #expect(try browser.get("/").status == 303)
    }

    @Test func fiveFailuresLockTheNameLikeTheCommandLine() throws {
        let lab = try Self.shared.get()
        for _ in 0..<5 { #expect(try Self.signIn(lab, "X01", password: "wrong").0.status == 401) }
        let (locked, _) = try Self.signIn(lab, "X01")
        #expect(locked.status == 429, "\(locked)")
        #expect(locked.body.contains("已锁定"))
        #expect(locked.cookie("gh_session") == nil)
        // The same state as `gatehouse login`: the CLI refuses the right password too.
        let cli = try gatehouse(["login", "--data", lab.node, "--user", "X01", "--password-stdin"], stdin: Self.password + "\n",
                                logDirectory: lab.root)
        #expect(cli.status == 1)
        #expect(cli.err.contains("too many failed logins"))
    }

    @Test func aClerkLooksUpTheCallerOpensARepairDispatchesCompletesAndCallsBack() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let found = try desk.get("/customers?q=13812345678")
        #expect(found.status == 200)
        #expect(found.body.contains("张三丰") && found.body.contains("13812345678") && found.body.contains("3栋2单元1101"))
        let byLastFour = try desk.get("/customers?q=5678")
        #expect(byLastFour.body.contains("张三丰"), "the front desk sees phones in clear: the last four digits find the caller")
        let byName = try desk.get("/customers?q=" + "张三".queryEncoded)
        #expect(byName.body.contains("13812345678"))
        let suggest = try desk.get("/customers/suggest?q=1381234")
        #expect(suggest.body.contains("\"items\""))

        let number = try Self.openRepair(desk, summary: "厨房水管漏水")
        let page = try desk.get("/tickets/\(number)")
        #expect(page.status == 200, "\(page)")
        #expect(page.body.contains("厨房水管漏水") && page.body.contains("张三丰") && page.body.contains("13812345678"))
        #expect(page.body.contains("/step/dispatch"))

        let dispatched = try desk.post("/tickets/\(number)/step/dispatch", [("to", "T01"), ("note", "带扳手")])
        #expect(dispatched.status == 303, "\(dispatched)")
        #expect(dispatched.header("Location") == "/tickets/\(number)?ok=dispatch")
        let after = try desk.get("/tickets/\(number)?ok=dispatch")
        #expect(after.body.contains("已派工。") && after.body.contains("→ T01"))
        #expect(try desk.post("/tickets/\(number)/step/arrive", []).status == 303)
        #expect(try desk.post("/tickets/\(number)/step/complete", [("signed", "1")]).status == 303)
        let called = try desk.post("/tickets/\(number)/callback", [("method", "phone"), ("result", "satisfied"), ("score", "95"),
                                                                   ("comment", "师傅很专业")])
        #expect(called.status == 303, "\(called)")
        let done = try desk.get("/tickets/\(number)")
        #expect(done.body.contains("已回访"), "\(done.body.prefix(3000))")
        #expect(done.body.contains("师傅很专业"))
        let order = try desk.get("/tickets/\(number)/print")
        #expect(order.status == 200 && order.body.contains("派工单") && order.body.contains("顾客签字"))

        // A new caller: one step registers the customer and the request.
        let fresh = try desk.post("/tickets", [("phone", "13900001111"), ("name", "李四"), ("unit", "5栋1单元302"), ("kind", "complaint"),
                                               ("channel", "phone"), ("class", "1"), ("severity", "general"), ("summary", "楼道灯不亮")])
        #expect(fresh.status == 303, "\(fresh)")
        #expect(try desk.get("/customers?q=13900001111").body.contains("李四"))
        let noName = try desk.post("/tickets", [("phone", "13900002222"), ("kind", "repair"), ("summary", "x")])
        #expect(noName.status == 400)
        #expect(noName.body.contains("请填写顾客姓名"))
    }

    @Test func aMaskedRoleSeesMaskedDataAndCannotSearchByLastFourDigits() throws {
        let lab = try Self.shared.get()
        let (_, cashier) = try Self.signIn(lab, "K01")
        let found = try cashier.get("/customers?q=13812345678")
        #expect(found.status == 200)
        #expect(found.body.contains("张**") && found.body.contains("138****5678"), "\(found.body)")
        #expect(!found.body.contains("张三丰") && !found.body.contains("13812345678</"))
        let lastFour = try cashier.get("/customers?q=5678")
        #expect(!lastFour.body.contains("张**"))
        #expect(lastFour.body.contains("按尾号查找仅限"))
        // Writing is the desk's: the cashier's post is refused and nothing is added.
        let add = try cashier.post("/customers", [("name", "王五"), ("phone", "13700000000")])
        #expect(add.status == 403)
        #expect(add.body.contains("无权操作"))
    }

    @Test func aTechnicianSeesOnlyTheirJobMaskedAndAForgedDispatchIsRefused() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let mine = try Self.openRepair(desk, summary: "卫生间地漏堵塞")
        #expect(try desk.post("/tickets/\(mine)/step/dispatch", [("to", "T02")]).status == 303)
        let other = try Self.openRepair(desk, summary: "阳台门锁坏")

        let (_, tech) = try Self.signIn(lab, "T02")
        let page = try tech.get("/tickets/\(mine)")
        #expect(page.status == 200, "\(page)")
        #expect(!page.body.contains("/step/dispatch"), "no dispatch button")
        #expect(page.body.contains("/step/arrive"))
        // The phone and the door while the job is theirs and open; the name masked.
        #expect(page.body.contains("13812345678") && page.body.contains("张**"))
        #expect(try tech.get("/tickets/\(other)").status == 403, "another's job is not shown")
        #expect(try tech.get("/customers?q=13812345678").body.contains("没有找到顾客"))
        // A forged post with a valid token: the desk refuses it and records the refusal.
        let forged = try tech.post("/tickets/\(other)/step/dispatch", [("to", "T02")])
        #expect(forged.status == 403)
        #expect(forged.body.contains("无权操作") && forged.body.contains("派工"))
        let audit = try gatehouse(["login", "--data", lab.node, "--user", "admin-C001", "--password-stdin"], stdin: Self.password + "\n",
                                  logDirectory: lab.root)
        #expect(audit.status == 0)
        let trail = try gatehouse(["audit", "--data", lab.node, "--staff", "T02"], logDirectory: lab.root)
        #expect(trail.out.contains("denied"), "\(trail)")
        // And the request was not dispatched.
        #expect(try desk.get("/tickets/\(other)").body.contains("/step/dispatch"))
    }

    @Test func aSignedInFormWithoutItsTokenIsRefused() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let r = try lab.http.post("/customers", form: [("name", "无令牌")], headers: desk.headers)
        #expect(r.status == 403)
        #expect(r.body.contains("表单已失效"))
        // A token made for another session does not do either.
        let other = try lab.http.post("/customers", form: [("csrf", CSRFToken.make(secret: "someone-else")), ("name", "无令牌")],
                                      headers: desk.headers)
        #expect(other.status == 403)
    }
}

/// The rest of the desk's pages, each once, through the real daemon: every page of the
/// front desk's navigation renders, and the mail log, custody and callback plan work.
extension DeskPagesTests {
    @Test func everyPageOfTheFrontDesksNavigationRenders() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        for path in ["/", "/customers", "/customers/new", "/tickets", "/tickets?overdue=1&kind=repair", "/tickets/new?phone=13812345678",
                     "/callbacks", "/callbacks/plan", "/callbacks/plan?month=2026-11", "/parcels", "/parcels?all=1", "/custody",
                     "/conflicts", "/sync", "/reports", "/reports?period=2026-Q4", "/tickets?due=1", "/tickets?page=2"] {
            let r = try desk.get(path)
            #expect(r.status == 200, "\(path): \(r)")
            #expect(r.body.contains("<html lang=\"zh-CN\">"), "\(path)")
            #expect(!r.body.contains("<script>"), "\(path): no inline script")
        }
        // 报表 compares the centers side by side (at a center: its own row), each linking to its full report.
        let reports = try desk.get("/reports?period=2026-11").body
        #expect(reports.contains("各中心对比") && reports.contains("C001") && reports.contains("/reports/view?month=2026-11&amp;center=C001"),
                "\(reports)")
        #expect(try desk.get("/reports?period=2026-13").status == 400)
        // The request list filters what falls due today.
        #expect(try desk.get("/tickets?due=1").body.contains("name=\"due\" value=\"1\" checked"))
        // A repair opened at the desk says where it is (issue 16).
        let common = try desk.post("/tickets", [("phone", "13812345678"), ("kind", "repair"), ("location", "common_area"), ("channel", "phone"),
                                                ("summary", "楼道灯不亮")])
        #expect(common.status == 303, "\(common)")
        #expect(try desk.get(try #require(common.header("Location"))).body.contains("报修 · 公共区域"))
        // 回访 lists what every programme owes today (issue 16), beside the request callbacks.
        #expect(try desk.get("/callbacks").body.contains("各方案到期回访"))
        let json = try desk.get("/sync.json")
        #expect(json.status == 200 && json.body.contains("\"stateText\""))
        let report = try desk.get("/reports/view?month=2026-11")
        #expect(report.status == 200, "\(report)")
        #expect(report.header("Content-Security-Policy")?.contains("script-src 'none'") == true)
        let csv = try desk.get("/reports/download.csv?month=2026-11")
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        #expect(try desk.get("/reports/view?month=2026-13").status == 400)
        // A center manager's page; the front desk is refused it.
        #expect(try desk.get("/grants").status == 403)
    }

    @Test func theMailLogAndCustodyTakeItemsInAndOut() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        #expect(try desk.post("/parcels", [("type", "express"), ("recipient", "张三丰"), ("unit", "3栋2单元1101"), ("carrier", "顺丰"),
                                           ("tracking", "SF1234567890")]).status == 303)
        let list = try desk.get("/parcels")
        #expect(list.body.contains("SF1234567890"))
        let id = try #require(list.body.range(of: "/parcels/[^/\"]*/pickup", options: .regularExpression).map { String(list.body[$0]) }?
            .dropFirst("/parcels/".count).prefix { $0 != "/" })
        #expect(try desk.post("/parcels/\(id)/notify", []).status == 303)
        // Picking up needs the collector's signature, as at the command line.
        #expect(try desk.post("/parcels/\(id)/pickup", [("by", "张三丰")]).status >= 400)
        #expect(try desk.post("/parcels/\(id)/pickup", [("by", "张三丰"), ("signed", "1")]).status == 303)
        #expect(!(try desk.get("/parcels").body.contains("SF1234567890")), "no longer waiting")

        #expect(try desk.post("/custody", [("phone", "13812345678"), ("description", "钥匙一串"), ("condition", "完好"), ("verified", "1")]).status == 303)
        let held = try desk.get("/custody")
        #expect(held.body.contains("钥匙一串") && held.body.contains("张三丰"))
        let refused = try desk.post("/custody", [("phone", "13812345678"), ("description", "现金 500 元"), ("condition", "完好"), ("verified", "1")])
        #expect(refused.status >= 400, "cash is refused")
        let item = try #require(held.body.range(of: "/custody/[^/\"]*/return", options: .regularExpression).map { String(held.body[$0]) }?
            .dropFirst("/custody/".count).prefix { $0 != "/" })
        #expect(try desk.post("/custody/\(item)/return", [("condition", "完好"), ("verified", "1")]).status == 303)
        // The technician may not touch the log.
        let (_, tech) = try Self.signIn(lab, "T01")
        #expect(try tech.post("/parcels", [("type", "letter")]).status == 403)
    }
}
