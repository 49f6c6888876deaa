import Foundation
import Hummingbird
import ServiceDesk
import SyncRuntime

/// Head office's console (`hub run`): every center's sync health, live. What the page shows
/// is `gatehouse hub status` (no personal data), so any signed-in head-office role sees it.
extension WebApp {
    func addConsoleRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/") { req, ctx in try consoleOverview(req, ctx) }
        r.get("/status.json") { req, ctx in try consoleStatusJSON(req, ctx) }
        addGrantRoutes(r)
        addConflictRoutes(r)
        addReportRoutes(r)
        addAuditRoutes(r)
        addCustomerRoutes(r)
        addTicketRoutes(r)
    }

    func hubStatus(_ request: Request) throws -> (HubStatusView, filter: String) {
        let which = FormFields.query(request)["show"] ?? ""
        var f = HubStatusView.Filter()
        f.offlineOnly = which == "offline"
        f.laggingOnly = which == "lagging"
        f.center = FormFields.query(request)["center"]
        return (try HubStatusView.read(desk, filter: f), which)
    }

    static func nodeRows(_ s: HubStatusView) -> [ConsolePage.NodeRow] {
        s.nodes.map { n in
            ConsolePage.NodeRow(center: n.center, href: "/?center=\(n.center)", state: n.state, stateText: ConsolePage.stateText(n.state),
                                lastSeen: Show.time(n.lastSeen), lastPush: Show.time(n.lastPushAt), backlog: Int(n.backlog),
                                pullLag: n.pullLag, refused: Int(n.refusedRecords), conflicts: n.openConflicts,
                                health: n.health.rawValue, lagging: n.lagging, problem: n.problems.first.map { "\($0)" } ?? "")
        }
    }

    func consoleOverview(_ request: Request, _ context: WebContext) throws -> Response {
        _ = try open(context)
        let (s, which) = try hubStatus(request)
        let model = ConsolePage(frame: frames.make(context, title: "全部中心", path: request.uri.path), nodes: Self.nodeRows(s),
                                total: s.summary.nodes, healthy: s.summary.healthy, lagging: s.summary.lagging, offline: s.summary.offline,
                                refused: s.summary.refused, logHead: Int(s.logHead), generated: Show.time(s.generatedAt),
                                filter: which, refreshURL: "/status.json" + (request.uri.query.map { "?" + $0 } ?? ""),
                                filters: [SelectOption(value: "", label: "全部", selected: which == ""),
                                          SelectOption(value: "offline", label: "离线", selected: which == "offline"),
                                          SelectOption(value: "lagging", label: "同步滞后", selected: which == "lagging")])
        return page("console", model)
    }

    /// The overview's figures and rows for the live refresh (`desk.js`).
    func consoleStatusJSON(_ request: Request, _ context: WebContext) throws -> Response {
        struct Live: Encodable {
            var summary: [String: Int]
            var rowsHTML: String
            var generatedAtText: String
        }
        _ = try open(context)
        let (s, _) = try hubStatus(request)
        let rows = renderer.string("console_rows", ConsolePage.Rows(nodes: Self.nodeRows(s)))
        return try Self.json(Live(summary: ["total": s.summary.nodes, "healthy": s.summary.healthy, "lagging": s.summary.lagging,
                                            "offline": s.summary.offline, "refused": s.summary.refused],
                                  rowsHTML: rows, generatedAtText: "更新于 " + Show.time(s.generatedAt)))
    }
}
