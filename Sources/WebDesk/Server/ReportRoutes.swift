import Foundation
import Hummingbird
import ServiceDesk
import SyncRuntime

/// 报表: the monthly and quarterly reports of `gatehouse report`, per center or for all
/// centers (at head office), as the existing printable HTML report or a CSV download.
/// Aggregates only: no personal data, so any signed-in role may read them.
extension WebApp {
    func addReportRoutes(_ r: RouterGroup<WebContext>) {
        r.get("/reports") { req, ctx in try reportsPage(req, ctx) }
        r.get("/reports/view") { req, ctx in try reportView(req, ctx, csv: false) }
        r.get("/reports/download.csv") { req, ctx in try reportView(req, ctx, csv: true) }
    }

    func reportsPage(_ request: Request, _ context: WebContext) throws -> Response {
        let d = try open(context)
        let today = try d.desk.workCalendar().civilDate(of: d.now)
        let last = today.yearMonth.firstDay.adding(days: -1).yearMonth
        let quarter = "\(today.year)-Q\((today.month - 1) / 3 + 1)"
        let centers = d.desk.isHub ? (try? d.desk.reportDataCenters()) ?? [] : [d.desk.center]
        // The per-center breakdown: the month asked for (last month by default), every
        // center side by side with the all-centers row, each linking to its full report.
        let asked = FormFields.query(request)["period"]
        let period: ReportPeriod
        do { period = try asked.map { $0.contains("Q") ? try ReportPeriod.quarter($0) : try ReportPeriod.month($0) } ?? .month(last) } catch {
            throw WebError(.badRequest, "期间有误", "月份写成 YYYY-MM（如 2026-11），季度写成 YYYY-Qn（如 2026-Q4）。")
        }
        let report = try Report.build(try d.desk.reportInput(period: period, centers: try ReportCenters.resolve(d.desk, period: period, only: nil, now: d.now),
                                                             now: d.now))
        let periodText = asked ?? last.description
        let model = ReportsPage(frame: frame(request, context, "报表"), month: last.description, quarter: quarter,
                                centers: [SelectOption(value: "", label: d.desk.isHub ? "全部中心" : d.desk.center, selected: true)]
                                    + (d.desk.isHub ? centers.map { SelectOption(value: $0, label: $0) } : []),
                                breakdown: ReportsPage.Breakdown(report, period: periodText))
        return page("reports", model)
    }

    func reportView(_ request: Request, _ context: WebContext, csv: Bool) throws -> Response {
        let d = try open(context)
        let q = FormFields.query(request)
        let period: ReportPeriod
        do {
            if let m = q["month"] { period = try ReportPeriod.month(m) } else if let p = q["quarter"] { period = try ReportPeriod.quarter(p) } else {
                throw WebError(.badRequest, "请选择报表期间", "")
            }
        } catch let e as WebError { throw e } catch {
            throw WebError(.badRequest, "期间有误", "月份写成 YYYY-MM（如 2026-11），季度写成 YYYY-Qn（如 2026-Q4）。")
        }
        let centers = try ReportCenters.resolve(d.desk, period: period, only: q["center"], now: d.now)
        let report = try Report.build(try d.desk.reportInput(period: period, centers: centers, now: d.now))
        if csv {
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"gatehouse-report.csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: ReportText.csv(report))))
        }
        var response = Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: ReportHTML.render(report))))
        response.headers[.contentSecurityPolicy] = SecurityHeaders.reportPolicy
        return response
    }
}

/// `/reports`: the per-center breakdown of a period, and the full reports by period and center.
public struct ReportsPage {
    public var frame: Frame
    public var month: String
    public var quarter: String
    public var centers: [SelectOption]
    public var breakdown: Breakdown

    /// The headline figures of every center side by side (and of all centers together at
    /// head office), each row linking to that center's full report.
    public struct Breakdown {
        /// The headline measures, in column order (keys of ``ReportFigures``).
        static let keys = ["requests", "complaints", "complaints.open_now", "timeliness", "first_call_resolution", "services.satisfaction",
                           "callbacks.rate", "callbacks.on_site_rate", "survey.satisfaction"]
        public struct Row {
            public var label: String
            public var asOf: String
            public var incomplete: Bool
            public var cells: [String]
            public var href: String
            public var csv: String
        }
        public var period: String
        public var columns: [String]
        public var rows: [Row]

        public init(_ report: Report, period: String) {
            self.period = period
            let param = period.contains("Q") ? "quarter" : "month"
            let labels = ReportFigures.of(ReportMeasures())
            columns = Self.keys.map { k in labels.first { $0.key == k }?.label.trimmingCharacters(in: .whitespaces) ?? k }
            rows = report.rows.map { row in
                let figures = ReportFigures.of(row.current)
                let query = "\(param)=\(period.queryEncoded)" + (row.center.map { "&center=\($0.code.queryEncoded)" } ?? "")
                return Row(label: row.label, asOf: ReportFigures.asOf(row.center), incomplete: row.center?.freshness.isIncomplete ?? false,
                           cells: Self.keys.map { k in figures.first { $0.key == k }?.text ?? "—" },
                           href: "/reports/view?" + query, csv: "/reports/download.csv?" + query)
            }
        }
    }
}
