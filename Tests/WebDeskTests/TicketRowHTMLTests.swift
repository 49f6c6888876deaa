import ServiceDesk
import Testing
@testable import WebDesk

/// The request rows are written in Swift, not by the template (TicketRow.html): they must
/// escape exactly as the template's `{{…}}` did.
@Suite struct TicketRowHTMLTests {
    @Test func everyValueIsEscapedAndAnOverdueRowIsMarked() throws {
        let row = TicketRow(number: "C001-261206-001", href: "/tickets/C001-261206-001", kind: "报修", stage: "已受理",
                            summary: "<script>alert('x')</script> & \"引号\"", unit: "3栋****", assignee: "T01", opened: "2026-12-06 09:00",
                            next: "回访 2026-12-07 09:00", overdue: true, overdueText: "到场、完成")
        let html = row.html
        #expect(html.hasPrefix("<tr class=\"overdue\"><td class=\"nowrap\"><a href=\"/tickets/C001-261206-001\">C001-261206-001</a>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;引号&quot;"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("超期：到场、完成") && html.contains("3栋****"))
        var plain = row
        plain.overdue = false
        #expect(plain.html.hasPrefix("<tr><td") && !plain.html.contains("超期"))
        #expect(HTMLText.escape("张三 3栋2单元") == "张三 3栋2单元")
        #expect(TicketTable([row, plain], total: 7).rowsHTML == row.html + plain.html)
    }

    @Test func theListTemplateShowsTheRowsOrSaysThereAreNone() throws {
        let row = TicketRow(number: "C001-261206-002", href: "/tickets/C001-261206-002", kind: "投诉", stage: "已受理", summary: "噪音",
                            unit: "", assignee: "", opened: "2026-12-06 10:00", next: "", overdue: false, overdueText: "")
        let some = try ViewTests.render("ticket_rows", TicketTable([row]))
        #expect(some.contains(row.html) && !some.contains("没有工单"))
        #expect(try ViewTests.render("ticket_rows", TicketTable([])).contains("没有工单"))
    }
}
