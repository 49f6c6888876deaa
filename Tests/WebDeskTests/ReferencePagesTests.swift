import Foundation
import ServiceDesk
import TestSupport
import Testing
@testable import WebDesk

/// The pages of what was command-line only — 价目表, a request's answer and edit, 导入顾客 —
/// through the real daemon: each refused to a role the command refuses, and doing what the
/// command does for one that may.
extension DeskPagesTests {
    @Test func thePriceListIsShownToTheDeskAndChangedOnlyByTheManager() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let list = try desk.get("/prices")
        #expect(list.status == 200, "\(list)")
        #expect(list.body.contains("价目表") && !list.body.contains("action=\"/prices\""), "the front desk gets no add form")
        let refused = try desk.post("/prices", [("code", "R01"), ("name", "疏通下水道"), ("price", "80")])
        #expect(refused.status == 403 && refused.body.contains("无权操作"), "\(refused)")

        let (_, manager) = try Self.signIn(lab, "M01")
        #expect(try manager.get("/prices").body.contains("action=\"/prices\""))
        let added = try manager.post("/prices", [("code", "R01"), ("name", "疏通下水道"), ("unit", "次"), ("price", "80")])
        #expect(added.status == 303 && added.header("Location") == "/prices?ok=saved", "\(added)")
        let shown = try desk.get("/prices").body
        #expect(shown.contains("R01") && shown.contains("疏通下水道") && shown.contains("80.00"), "\(shown)")
        #expect(try manager.post("/prices", [("code", "R02"), ("name", "换锁芯"), ("price", "八十")]).status == 400)
        #expect(try manager.post("/prices", [("code", "R01"), ("name", "again"), ("price", "1")]).status == 400, "a code exists once")
        // A new price, then no longer offered: gone from the list, kept under 含已停用.
        #expect(try manager.post("/prices/R01", [("price", "95.50")]).status == 303)
        #expect(try desk.get("/prices").body.contains("95.50"))
        #expect(try manager.post("/prices/R01", [("active", "no")]).status == 303)
        #expect(!(try desk.get("/prices").body.contains("疏通下水道")))
        #expect(try desk.get("/prices?all=1").body.contains("停用"))
        #expect(try desk.post("/prices/R01", [("active", "yes")]).status == 403)
    }

    @Test func theDeskAnswersTheCallerAndEditsTheRequestButACashierMayNot() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let number = try Self.openRepair(desk, summary: "客厅插座没电")
        #expect(try desk.get("/tickets/\(number)").body.contains("action=\"/tickets/\(number)/answer\""))
        let answered = try desk.post("/tickets/\(number)/answer", [("note", "已联系顾客，明早上门")])
        #expect(answered.status == 303 && answered.header("Location") == "/tickets/\(number)?ok=answered", "\(answered)")
        let page = try desk.get("/tickets/\(number)?ok=answered").body
        #expect(page.contains("答复已登记。") && page.contains("已联系顾客，明早上门"))
        #expect(!page.contains("<dd class=\"answered\">—</dd>"), "the answer's time is shown")

        let form = try desk.get("/tickets/\(number)/edit")
        #expect(form.status == 200, "\(form)")
        #expect(form.body.contains("value=\"客厅插座没电\"") && form.body.contains("value=\"3栋2单元1101\""))
        let saved = try desk.post("/tickets/\(number)/edit", [("summary", "客厅和卧室插座没电"), ("channel", "phone"), ("unit", "3栋2单元1101")])
        #expect(saved.header("Location") == "/tickets/\(number)?ok=saved", "\(saved)")
        let edited = try desk.get("/tickets/\(number)").body
        #expect(edited.contains("客厅和卧室插座没电") && edited.contains("修改"))
        let same = try desk.post("/tickets/\(number)/edit", [("summary", "客厅和卧室插座没电"), ("channel", "phone"), ("unit", "3栋2单元1101")])
        #expect(same.header("Location") == "/tickets/\(number)?ok=unchanged")

        // The cashier sees the request masked and may neither answer nor edit it.
        let (_, cashier) = try Self.signIn(lab, "K01")
        let masked = try cashier.get("/tickets/\(number)").body
        #expect(!masked.contains("/answer\"") && !masked.contains("/edit\""))
        #expect(try cashier.get("/tickets/\(number)/edit").status == 403)
        #expect(try cashier.post("/tickets/\(number)/edit", [("summary", "改掉")]).status == 403)
        #expect(try cashier.post("/tickets/\(number)/answer", [("note", "x")]).status == 403)
        #expect(!(try desk.get("/tickets/\(number)").body.contains("改掉")))
    }

    /// A `multipart/form-data` post as a browser sends a form with a file.
    static func upload(_ browser: Browser, _ path: String, csv: String, fields: [(String, String)], token: Bool = true) throws -> RawHTTP.Reply {
        let boundary = "----gatehouseTest7MA4YWxkTrZu0gW"
        var body = ""
        for (k, v) in (token ? [("csrf", CSRFToken.make(secret: browser.session ?? ""))] : []) + fields {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n"
        }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名册.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n"
        body += "--\(boundary)--\r\n"
        var headers = browser.headers
        headers["Content-Type"] = "multipart/form-data; boundary=\(boundary)"
        return try browser.http.send("POST", path, headers: headers, body: body)
    }

    @Test func aCustomerRosterIsImportedFromExcelsCSVAllOrNothing() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let form = try desk.get("/customers/import")
        #expect(form.status == 200 && form.body.contains("enctype=\"multipart/form-data\""), "\(form)")
        #expect(try desk.get("/customers").body.contains("href=\"/customers/import\""))

        // One bad row refuses the whole file, line by line, and nothing is written.
        let bad = try Self.upload(desk, "/customers/import", csv: "姓名,电话,房号\n孙八,13600003333,7栋1单元103\n周九,12345,7栋1单元104\n",
                                  fields: [("encoding", "auto")])
        #expect(bad.status == 422, "\(bad)")
        #expect(bad.body.contains("整个文件未导入") && bad.body.contains("第 3 行"), "\(bad.body)")
        #expect(try desk.get("/customers?q=13600003333").body.contains("没有"), "nothing imported")

        let good = try Self.upload(desk, "/customers/import", csv: "姓名,电话,房号\r\n赵六,13600001111,7栋1单元101\r\n钱七,13600002222,7栋1单元102\r\n",
                                   fields: [("encoding", "auto")])
        #expect(good.status == 200, "\(good)")
        #expect(good.body.contains("导入了 2 位顾客"), "\(good.body)")
        #expect(try desk.get("/customers?q=13600001111").body.contains("赵六"))
        // With 只导入正确的行 the good rows go in and the bad ones are listed.
        let skipped = try Self.upload(desk, "/customers/import", csv: "姓名,电话\n吴十,13600004444\n郑一,999\n",
                                      fields: [("skip_bad", "1")])
        #expect(skipped.status == 200 && skipped.body.contains("导入了 1 位顾客") && skipped.body.contains("跳过有误的 1 行"), "\(skipped.body)")

        // Without its token the upload is refused before the page runs; a technician is refused by the desk.
        #expect(try Self.upload(desk, "/customers/import", csv: "姓名\n王二\n", fields: [], token: false).status == 403)
        let (_, tech) = try Self.signIn(lab, "T01")
        #expect(try tech.get("/customers/import").status == 403)
        let forged = try Self.upload(tech, "/customers/import", csv: "姓名,电话\n冯三,13600005555\n", fields: [])
        #expect(forged.status == 403 && forged.body.contains("无权操作"), "\(forged)")
        #expect(!(try desk.get("/customers?q=13600005555").body.contains("冯三")))
        // A multipart post anywhere else is no form of ours.
        #expect(try Self.upload(desk, "/customers", csv: "x", fields: []).status == 403)
    }
}
