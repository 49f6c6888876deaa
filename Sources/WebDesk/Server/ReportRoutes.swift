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
        let model = ReportsPage(frame: frame(request, context, "报表"), month: last.description, quarter: quarter,
                                centers: [SelectOption(value: "", label: d.desk.isHub ? "全部中心" : d.desk.center, selected: true)]
                                    + (d.desk.isHub ? centers.map { SelectOption(value: $0, label: $0) } : []))
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

/// `/reports`: choose the period and the center.
public struct ReportsPage {
    public var frame: Frame
    public var month: String
    public var quarter: String
    public var centers: [SelectOption]
}
