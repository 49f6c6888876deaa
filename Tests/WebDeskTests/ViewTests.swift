import Foundation
import ServiceDesk
import Testing
@testable import WebDesk

/// The pages' pure parts: the lookup's reading of `q`, the buttons a role gets, and the
/// templates rendered with fixtures (no server, no database).
@Suite struct ViewTests {
    static let renderer = Result {
        try PageRenderer(resources: WebResources(root: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/WebDesk/Resources")))
    }

    static func frame(_ role: StaffRole, title: String = "测试", path: String = "/") -> Frame {
        Frame(title: title, siteName: "服务中心工作台", centerName: "阳光花园管理服务中心", signedIn: true, userName: "王芳",
              roleName: role.displayName, nav: Navigation.items(site: .desk, role: role, path: path), csrf: "tok", css: "/static/desk.css",
              js: "/static/desk.js", flash: nil, site: "desk")
    }

    static func render(_ template: String, _ model: Any) throws -> String {
        try renderer.get().string(template, model)
    }

    @Test func theLookupFieldIsReadAsAPhoneItsLastFourDigitsOrText() {
        #expect(CustomerQuery.parse("13812345678") == .phone("13812345678"))
        #expect(CustomerQuery.parse(" 138-1234-5678 ") == .phone("13812345678"))
        #expect(CustomerQuery.parse("+86 138 1234 5678") == .phone("13812345678"))
        #expect(CustomerQuery.parse("5678") == .lastFour("5678"))
        #expect(CustomerQuery.parse("张三") == .text("张三"))
        #expect(CustomerQuery.parse("3栋2单元") == .text("3栋2单元"))
        #expect(CustomerQuery.parse("  ") == .empty)
        // Five or six digits are neither a number nor its last four: a unit or a part of one.
        #expect(CustomerQuery.parse("11012") == .text("11012"))
        #expect(CustomerQuery.phone("13812345678").matches(phone: "138 1234 5678"))
        #expect(CustomerQuery.phone("13812345678").matches(phone: "+8613812345678"))
        #expect(!CustomerQuery.phone("13812345678").matches(phone: "13812345679"))
        #expect(CustomerQuery.lastFour("5678").matches(phone: "13812345678"))
        #expect(!CustomerQuery.lastFour("5678").matches(phone: "13856781234"))
        #expect(!CustomerQuery.text("5678").matches(phone: "13812345678"))
    }

    @Test func eachRoleGetsOnlyTheStepsItMayTake() {
        func events(_ role: StaffRole, _ stage: TicketStage, _ kind: RequestKind = .repair) -> [String] {
            TicketPage.actions(number: "C001-261206-001", state: TicketState(stage: stage), kind: kind) { Permissions.allows(role, $0) }
                .map(\.event)
        }
        #expect(events(.frontDesk, .received) == ["dispatch", "cancel", "escalate"])
        #expect(events(.technician, .received) == [], "no dispatch button for a technician")
        #expect(events(.technician, .dispatched) == ["arrive"])
        #expect(events(.technician, .arrived) == ["complete"])
        #expect(events(.cashier, .arrived) == [])
        #expect(events(.frontDesk, .completed) == ["close", "reopen", "escalate"])
        let cancel = TicketPage.actions(number: "C001-261206-001", state: TicketState(stage: .received), kind: .repair) { _ in true }
            .first { $0.event == "cancel" }
        #expect(cancel?.danger == true && cancel?.confirm?.contains("C001-261206-001") == true)
    }

    @Test func aMaskedRoleSeesMaskedCustomersInTheLookup() throws {
        let masked = CustomerRow(id: "cu-1", href: "/customers/cu-1", name: Masking.name("张三丰"), phone: Masking.phone("13812345678"),
                                 unit: Masking.address("3栋2单元1101"), flags: "拒访")
        let page = CustomerSearchPage(frame: Self.frame(.cashier, title: "顾客", path: "/customers"), q: "13812345678", searched: true,
                                      rows: [masked], hint: nil, canAdd: false, addHref: "/customers/new", canOpen: false, canImport: false)
        let html = try Self.render("customers", page)
        #expect(html.contains("<html lang=\"zh-CN\">"))
        #expect(html.contains("张**") && html.contains("138****5678") && html.contains("3栋****"))
        #expect(!html.contains("13812345678</td>") && !html.contains("张三丰"))
        #expect(!html.contains("新建顾客"), "a role that may not edit customers gets no add button")
        #expect(!html.contains("/customers/import"), "nor an import button")
        #expect(!html.contains("<script>"), "no inline script")
        #expect(html.contains("value=\"13812345678\""), "the query stays in the field")
    }

    @Test func theRequestPageOffersTheRolesButtonsWithTokens() throws {
        func page(_ role: StaffRole, _ stage: TicketStage) -> TicketPage {
            let actions = TicketPage.actions(number: "C001-261206-001", state: TicketState(stage: stage), kind: .repair) { Permissions.allows(role, $0) }
            return TicketPage(frame: Self.frame(role), number: "C001-261206-001", kind: "报修", stage: stage.displayName, summary: "厨房水管漏水",
                              channel: "电话", unit: "3栋****", contactName: "张**", contactPhone: "138****5678", customerHref: nil,
                              assignee: "T01", opened: "2026-12-06 09:00", openedBy: "F01", escalated: false, reopenCount: 0, overdue: false,
                              deadlines: [.init(name: "首次答复", due: "2026-12-07 09:00", met: "—", state: "进行中", late: false)],
                              timeline: [.init(at: "2026-12-06 09:00", staff: "F01", action: "受理", detail: "报修：厨房水管漏水")],
                              actions: actions, assignees: [SelectOption(value: "T01", label: "T01 李师傅（维修技工）")],
                              canNote: Permissions.allows(role, .ticketNote), canCallback: false, methods: [], results: [],
                              canPay: false, canAnswer: Permissions.allows(role, .ticketAnswer), answered: "—",
                              canEdit: Permissions.allows(role, .ticketUpdate), fee: nil, paid: nil, csrf: "tok-123")
        }
        let desk = try Self.render("ticket", page(.frontDesk, .received))
        #expect(desk.contains("action=\"/tickets/C001-261206-001/step/dispatch\""))
        #expect(desk.contains("T01 李师傅（维修技工）"))
        #expect(desk.contains("name=\"csrf\" value=\"tok-123\""))
        #expect(!desk.contains("action=\"/tickets/C001-261206-001/pay\""))
        #expect(desk.contains("action=\"/tickets/C001-261206-001/answer\"") && desk.contains("href=\"/tickets/C001-261206-001/edit\""))
        let tech = try Self.render("ticket", page(.technician, .dispatched))
        #expect(!tech.contains("step/dispatch"))
        #expect(!tech.contains("/answer\"") && !tech.contains("/edit\""), "a technician neither answers for the desk nor edits the request")
        #expect(tech.contains("step/arrive"))
        #expect(tech.contains("张**") && tech.contains("138****5678"))
        #expect(!tech.contains("费用"), "not a paid service")
    }

    @Test func theDashboardShowsTodayAndItsLists() throws {
        let row = TicketRow(number: "C001-261206-001", href: "/tickets/C001-261206-001", kind: "报修", stage: "已受理", summary: "漏水",
                            unit: "3栋2单元1101", assignee: "", opened: "2026-12-06 09:00", next: "首次答复 2026-12-07 09:00", overdue: true,
                            overdueText: "首次答复")
        let model = DashboardPage(frame: Self.frame(.frontDesk), today: "2026-12-06 星期日",
                                  tiles: [Tile(label: "已超期工单", count: 1, href: "#overdue", warn: true), Tile(label: "待取邮件", count: 0, href: "/parcels")],
                                  overdue: TicketTable([row]), dueToday: TicketTable([]), callbacksDue: TicketTable([]),
                                  sync: SyncLine(state: "offline", stateText: SyncLine.stateText("offline"), pending: 3, lastPush: "—", lastPull: "—",
                                                 health: "warning"), canOpen: true)
        let html = try Self.render("dashboard", model)
        #expect(html.contains("2026-12-06 星期日"))
        #expect(html.contains("超期：首次答复"))
        #expect(html.contains("class=\"tile bad\""), "a non-zero warning figure stands out")
        #expect(html.contains("离线（数据保存在本机"))
        #expect(html.contains("name=\"q\""), "the phone lookup is on the desk's first page")
        #expect(html.contains("没有工单"), "an empty list says so")
        #expect(WebApp.weekday(try CivilDate("2026-12-06")) == "星期日")
    }

    @Test func formsAndQueriesDecodeChineseAndPlusSigns() {
        let f = FormFields("user=F01&password=a%2Bb+c&summary=%E5%8E%A8%E6%88%BF%E6%BC%8F%E6%B0%B4&empty=&signed=1")
        #expect(f["user"] == "F01")
        #expect(f["password"] == "a+b c")
        #expect(f["summary"] == "厨房漏水")
        #expect(f["empty"] == nil)
        #expect(f.flag("signed") && !f.flag("missing"))
        #expect("张三 1101".queryEncoded == "%E5%BC%A0%E4%B8%89%201101")
        #expect(WebApp.flash("dispatch")?.text == "已派工。")
        #expect(WebApp.flash("<script>") == nil, "only known codes become messages")
    }
}
