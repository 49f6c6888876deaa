import Foundation
import ServiceDesk
import TestSupport
import Testing
@testable import WebDesk

/// The request page's forms for what was command-line only — a commissioned service's
/// exception and the manager's confirmation, telling the provider a callback's result,
/// reassigning — through the real daemon: shown and done for a role the command allows,
/// neither shown nor done (403) for one it refuses.
extension DeskPagesTests {
    /// Opens an in-home repair (a commissioned service) for the known caller; returns its number.
    static func openInHomeRepair(_ desk: Browser, summary: String) throws -> String {
        let opened = try desk.post("/tickets", [("phone", "13812345678"), ("kind", "repair"), ("location", "in_home"), ("channel", "phone"),
                                                ("summary", summary)])
        #expect(opened.status == 303, "\(opened)")
        let location = try #require(opened.header("Location"))
        return String(location.dropFirst("/tickets/".count).prefix { $0 != "?" })
    }

    static func capture(_ text: String, _ pattern: String) throws -> String? {
        let r = try NSRegularExpression(pattern: pattern)
        guard let m = r.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
              let range = Range(m.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    @Test func aChangeOfTheWorkIsRecordedAtTheDeskAndConfirmedOnlyByTheManager() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let number = try Self.openInHomeRepair(desk, summary: "厨房龙头滴水")
        let page = try desk.get("/tickets/\(number)").body
        #expect(page.contains("action=\"/tickets/\(number)/exception\""), "\(page)")
        #expect(page.contains("value=\"work_differs\"") && !page.contains("value=\"damage\""), "money is the service lead's or the manager's")
        let recorded = try desk.post("/tickets/\(number)/exception", [("kind", "work_differs"), ("detail", "需更换整套龙头，超出原委托")])
        #expect(recorded.status == 303 && recorded.header("Location") == "/tickets/\(number)?ok=exception", "\(recorded)")
        let after = try desk.get("/tickets/\(number)?ok=exception").body
        #expect(after.contains("服务异常已登记。") && after.contains("待经理确认") && after.contains("需更换整套龙头"), "\(after)")
        let id = try #require(try Self.capture(after, #"\[(ex-[0-9a-z-]+)\]"#), "the timeline names the exception")
        #expect(!after.contains("/exceptions/\(id)/confirm\""), "the front desk has no confirm button")
        let refused = try desk.post("/tickets/\(number)/exceptions/\(id)/confirm", [])
        #expect(refused.status == 403 && refused.body.contains("无权操作"), "\(refused)")
        #expect(try desk.post("/tickets/\(number)/exception", [("kind", "damage"), ("detail", "划伤地板"), ("amount", "200")]).status == 403)
        #expect(try desk.post("/tickets/\(number)/exception", [("kind", "work_differs")]).status == 400, "what happened is required")

        let (_, manager) = try Self.signIn(lab, "M01")
        let shown = try manager.get("/tickets/\(number)").body
        #expect(shown.contains("action=\"/tickets/\(number)/exceptions/\(id)/confirm\"") && shown.contains("value=\"damage\""), "\(shown)")
        let confirmed = try manager.post("/tickets/\(number)/exceptions/\(id)/confirm", [])
        #expect(confirmed.status == 303 && confirmed.header("Location") == "/tickets/\(number)?ok=confirmed", "\(confirmed)")
        let done = try manager.get("/tickets/\(number)").body
        #expect(done.contains("经理已确认（M01") && done.contains("经理确认变更") && !done.contains("/exceptions/\(id)/confirm\""), "\(done)")
        #expect(try manager.post("/tickets/\(number)/exceptions/\(id)/confirm", []).status == 409, "confirmed once")
        let damage = try manager.post("/tickets/\(number)/exception", [("kind", "damage"), ("detail", "搬动时划伤地板"), ("amount", "200")])
        #expect(damage.status == 303, "\(damage)")
        #expect(try desk.get("/tickets/\(number)").body.contains("¥200.00"))

        // The cashier neither sees the form nor records one; a common-area repair (no commissioned service) has none.
        let (_, cashier) = try Self.signIn(lab, "K01")
        #expect(!(try cashier.get("/tickets/\(number)").body.contains("/exception\"")))
        let forged = try cashier.post("/tickets/\(number)/exception", [("kind", "work_differs"), ("detail", "伪造")])
        #expect(forged.status == 403 && forged.body.contains("无权操作"), "\(forged)")
        #expect(!(try desk.get("/tickets/\(number)").body.contains("伪造")))
        let opened = try desk.post("/tickets", [("phone", "13812345678"), ("kind", "repair"), ("location", "common_area"), ("summary", "楼道灯不亮")])
        let common = try #require(opened.header("Location")).dropFirst("/tickets/".count).prefix { $0 != "?" }
        #expect(!(try desk.get("/tickets/\(common)").body.contains("/exception\"")))
    }

    @Test func theDeskRecordsThatTheProviderWasToldTheCallbacksResult() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let number = try Self.openInHomeRepair(desk, summary: "热水器不出热水")
        #expect(try desk.post("/tickets/\(number)/step/dispatch", [("to", "T01")]).status == 303)
        #expect(try desk.post("/tickets/\(number)/step/arrive", []).status == 303)
        #expect(try desk.post("/tickets/\(number)/step/complete", [("signed", "1")]).status == 303)
        let called = try desk.post("/tickets/\(number)/callback", [("method", "phone"), ("result", "satisfied"), ("score", "90")])
        #expect(called.status == 303, "\(called)")
        let page = try desk.get("/tickets/\(number)").body
        #expect(page.contains("回访记录") && page.contains("未告知"), "\(page)")
        let id = try #require(try Self.capture(page, #"/callbacks/(cb-[0-9a-z-]+)/tell-provider""#), "\(page)")

        // The cashier reads the callback but does not record callbacks; the technician neither.
        let (_, cashier) = try Self.signIn(lab, "K01")
        let masked = try cashier.get("/tickets/\(number)").body
        #expect(masked.contains("回访记录") && !masked.contains("/tell-provider\""), "\(masked)")
        let forged = try cashier.post("/tickets/\(number)/callbacks/\(id)/tell-provider", [])
        #expect(forged.status == 403 && forged.body.contains("无权操作"), "\(forged)")
        let (_, tech) = try Self.signIn(lab, "T01")
        #expect(!(try tech.get("/tickets/\(number)").body.contains("/tell-provider\"")))
        #expect(try tech.post("/tickets/\(number)/callbacks/\(id)/tell-provider", []).status == 403)
        #expect(try desk.get("/tickets/\(number)").body.contains("未告知"), "nothing written by a refusal")

        let told = try desk.post("/tickets/\(number)/callbacks/\(id)/tell-provider", [])
        #expect(told.status == 303 && told.header("Location") == "/tickets/\(number)?ok=told", "\(told)")
        let after = try desk.get("/tickets/\(number)").body
        #expect(after.contains("已告知（F01") && after.contains("告知服务提供方") && !after.contains("/tell-provider\""), "\(after)")
        #expect(try desk.post("/tickets/\(number)/callbacks/\(id)/tell-provider", []).status == 409, "told once")
    }

    @Test func aDispatchedRequestIsReassignedByTheDeskButNotByTheCashierOrTheTechnician() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let number = try Self.openRepair(desk, summary: "门禁卡失灵")
        #expect(!(try desk.get("/tickets/\(number)").body.contains("/reassign\"")), "not dispatched yet: 派工, not 改派")
        #expect(try desk.post("/tickets/\(number)/step/dispatch", [("to", "T01")]).status == 303)
        let page = try desk.get("/tickets/\(number)").body
        #expect(page.contains("action=\"/tickets/\(number)/reassign\""), "\(page)")

        let (_, cashier) = try Self.signIn(lab, "K01")
        #expect(!(try cashier.get("/tickets/\(number)").body.contains("/reassign\"")))
        let forged = try cashier.post("/tickets/\(number)/reassign", [("to", "T02")])
        #expect(forged.status == 403 && forged.body.contains("无权操作"), "\(forged)")
        let (_, tech) = try Self.signIn(lab, "T01")
        #expect(!(try tech.get("/tickets/\(number)").body.contains("/reassign\"")))
        #expect(try tech.post("/tickets/\(number)/reassign", [("to", "T01")]).status == 403)
        #expect(try desk.get("/tickets/\(number)").body.contains("<dd class=\"assignee\">T01</dd>"))

        let moved = try desk.post("/tickets/\(number)/reassign", [("to", "T02")])
        #expect(moved.status == 303 && moved.header("Location") == "/tickets/\(number)?ok=reassigned", "\(moved)")
        let after = try desk.get("/tickets/\(number)?ok=reassigned").body
        #expect(after.contains("已改派。") && after.contains("<dd class=\"assignee\">T02</dd>") && after.contains("改派"), "\(after)")
        #expect(try desk.post("/tickets/\(number)/reassign", [("to", "nobody")]).status != 303, "an unknown staff id is refused")
        let supplier = try desk.post("/tickets/\(number)/reassign", [("to", "T01"), ("supplier", "宏达水电")])
        #expect(supplier.status == 303)
        #expect(try desk.get("/tickets/\(number)").body.contains("宏达水电（供方）"))
    }

    @Test func aPaidServicesDetailsAreRecordedByTheDeskAndAnOffListItemReviewedOnlyByTheManager() throws {
        let lab = try Self.shared.get()
        let (_, desk) = try Self.signIn(lab, "F01")
        let number = try Self.openInHomeRepair(desk, summary: "更换卫生间水龙头")
        let page = try desk.get("/tickets/\(number)").body
        #expect(page.contains("action=\"/tickets/\(number)/service\"") && !page.contains("name=\"reviewed\""), "\(page)")
        let noAgreement = try desk.post("/tickets/\(number)/service", [("fee", "120"), ("material", "company"), ("supplier", "宏达水电")])
        #expect(noAgreement.status == 409 && noAgreement.body.contains("agreement"), "a supplier needs the agreement: \(noAgreement)")
        let saved = try desk.post("/tickets/\(number)/service", [("fee", "120"), ("material", "company"), ("supplier", "宏达水电"),
                                                                 ("agreement", "XY-01")])
        #expect(saved.status == 303 && saved.header("Location") == "/tickets/\(number)?ok=service", "\(saved)")
        let after = try desk.get("/tickets/\(number)?ok=service").body
        #expect(after.contains("服务明细已登记。") && after.contains("材料公司提供") && after.contains("供方 宏达水电（协议 XY-01）")
            && after.contains("120.00"), "\(after)")
        #expect(try desk.post("/tickets/\(number)/service", [("off_list", "1"), ("reviewed", "1")]).status == 403,
                "only the manager reviews an off-list item")

        let (_, manager) = try Self.signIn(lab, "M01")
        #expect(try manager.get("/tickets/\(number)").body.contains("name=\"reviewed\""))
        let reviewed = try manager.post("/tickets/\(number)/service", [("off_list", "1"), ("reviewed", "1")])
        #expect(reviewed.status == 303, "\(reviewed)")
        #expect(try desk.get("/tickets/\(number)").body.contains("价目表外项目（经理审核：M01）"))

        let (_, cashier) = try Self.signIn(lab, "K01")
        #expect(!(try cashier.get("/tickets/\(number)").body.contains("/service\"")))
        let forged = try cashier.post("/tickets/\(number)/service", [("fee", "1")])
        #expect(forged.status == 403 && forged.body.contains("无权操作"), "\(forged)")
        #expect(try desk.get("/tickets/\(number)").body.contains("120.00"), "the fee is unchanged")
    }
}
