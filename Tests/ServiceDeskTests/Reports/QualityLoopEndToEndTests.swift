import Foundation
import TestSupport
import ServiceDesk
import Testing

/// Issue 16 through the command line, on a real node: where a repair is, a repair that
/// becomes paid (and a fee the provider collected, 001 P7.9-8 4.2.11), the due list mixing
/// programmes, callbacks without a request, and the butler's follow-up tracked to closure.
@Suite(.serialized) struct QualityLoopEndToEndTests {
    func setUp(_ g: Gatehouse) throws -> (a: String, b: String) {
        let a = try g.setUpNode()   // 欧阳娜娜, 3栋2单元1101
        try g.ok("staff", "add", "--id", "B01", "--name", "孙管家", "--role", "butler", "--hire-date", "2020-01-01", staff: TestLogin.admin)
        let b = try g.ok("customer", "add", "--name", "李四", "--phone", "13900001111", "--unit", "5栋101", "--special-care",
                         now: "2026-11-01 08:00")
        try g.ok("customer", "update", a, "--move-in", "2026-11-05", "--butler", "B01", now: "2026-11-01 08:00")
        return (a, b)
    }

    func open(_ g: Gatehouse, _ args: String..., at time: String) throws -> String {
        let r = try g.runArgs(["ticket", "open"] + args, now: time)
        #expect(r.status == 0, "\(r.err)")
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func done(_ g: Gatehouse, _ number: String, to: String = "T01", dispatch: String, arrive: String, complete: String) throws {
        try g.ok("ticket", "dispatch", number, "--to", to, now: dispatch)
        try g.ok("ticket", "arrive", number, now: arrive, staff: to)
        try g.ok("ticket", "complete", number, now: complete, staff: to)
    }

    @Test func aRepairSaysWhereItIsAndAnInHomeOneCanBecomePaid() throws {
        var g = try Gatehouse()
        defer { g.cleanUp() }
        let (a, _) = try setUp(g)
        g.now = "2026-11-02 09:00"
        // 公共区域 by its Chinese name; in-home by the English alias.
        let common = try open(g, "--kind", "repair", "--location", "公共区域", "--summary", "楼道灯不亮", "--customer", a, at: "2026-11-02 09:00")
        let home = try open(g, "--kind", "repair", "--location", "in-home", "--summary", "厨房水管漏水", "--customer", a, at: "2026-11-02 09:10")
        let show = try JSONSerialization.jsonObject(with: Data(try g.ok("ticket", "show", common, "--json").utf8)) as! [String: Any]
        #expect((show["ticket"] as! [String: Any])["location"] as? String == "common_area")
        // A location is for repairs only; without one a repair is counted as in-home and told so.
        let r = try g.runArgs(["ticket", "open", "--kind", "inquiry", "--location", "户内", "--summary", "物业费", "--customer", a])
        #expect(r.status == 1 && r.err.contains("applies to repairs only"))
        let quiet = try g.runArgs(["ticket", "open", "--kind", "repair", "--summary", "门锁坏", "--customer", a], now: "2026-11-02 09:20")
        #expect(quiet.status == 0 && quiet.err.contains("counts as in-home (户内)"))

        // Common-area work is under the property contract: never charged (001 P7.9-8 §2).
        try done(g, common, dispatch: "2026-11-02 09:05", arrive: "2026-11-02 09:20", complete: "2026-11-02 10:00")
        let before = try g.business()
        let refused = try g.runArgs(["ticket", "service", common, "--fee", "30"])
        #expect(refused.status == 1 && refused.err.contains("common-area repair"))
        #expect(try g.business() == before)

        // The in-home repair turns out chargeable: a fee, then the technician collects it at
        // the door (4.2.11) — only the provider sent, and only he may use --by-provider.
        try done(g, home, dispatch: "2026-11-02 09:15", arrive: "2026-11-02 09:30", complete: "2026-11-02 11:00")
        try g.ok("ticket", "service", home, "--fee", "50", now: "2026-11-02 11:05")
        let desk = try g.runArgs(["ticket", "pay", home, "--receipt", "R-001", "--by-provider"], now: "2026-11-02 11:10")
        #expect(desk.status == 1 && desk.err.contains("permission denied: front_desk may not collect a fee on site"))
        try g.ok("ticket", "pay", home, "--receipt", "R-001", "--by-provider", now: "2026-11-02 11:10", staff: "T01")
        let paid = try JSONSerialization.jsonObject(with: Data(try g.ok("ticket", "show", home, "--json").utf8)) as! [String: Any]
        let service = (paid["ticket"] as! [String: Any])["service"] as! [String: Any]
        #expect(service["fee"] as? Int == 5000 && service["collectedBy"] as? String == "T01" && service["receiptNo"] as? String == "R-001")
        let timeline = (paid["timeline"] as! [[String: Any]]).compactMap { $0["detail"] as? String }
        #expect(timeline.contains { $0.contains("服务提供人员代收（4.2.11）") })
        // A paid repair cannot be moved to the common area afterwards.
        let move = try g.runArgs(["ticket", "update", home, "--location", "common-area"])
        #expect(move.status == 1 && move.err.contains("carries a fee"))

        // The import takes 位置; a wrong value is refused with the line.
        let csv = g.root.appendingPathComponent("t.csv")
        try "类型,内容,受理时间,完成时间,位置\n报修,电梯异响,2026-10-20 09:00,2026-10-20 10:00,公共区域\n报修,马桶堵,2026-10-21 09:00,2026-10-21 10:00,户内\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        try g.ok("import", "tickets", csv.path)
        let list = try JSONSerialization.jsonObject(with: Data(try g.ok("ticket", "list", "--since", "2026-10-01", "--json").utf8)) as! [[String: Any]]
        let locations = Set(list.compactMap { ($0["ticket"] as! [String: Any])["location"] as? String })
        #expect(locations == ["common_area", "in_home"])
        try "类型,内容,受理时间,位置\n投诉,噪音,2026-10-22 09:00,户内\n".write(to: csv, atomically: true, encoding: .utf8)
        let bad = try g.runArgs(["import", "tickets", csv.path])
        #expect(bad.status == 1 && bad.err.contains("location (位置) applies to repairs only"))
    }

    @Test func theDueListMixesProgrammesAndAnUnsatisfiedOwnerGetsAVisitTrackedToClosure() throws {
        var g = try Gatehouse()
        defer { g.cleanUp() }
        let (a, b) = try setUp(g)
        g.now = "2026-11-30 08:30"
        // A complaint resolved by the desk on Sunday 11-29 (no dispatch): four-class, due 11-30.
        let complaint = try open(g, "--kind", "complaint", "--class", "1", "--summary", "垃圾未清运", "--customer", b, at: "2026-11-29 10:00")
        try g.ok("ticket", "complete", complaint, now: "2026-11-29 15:00")
        // A repair received Monday 11-30 09:00: the daily callback is due that day.
        let repair = try open(g, "--kind", "repair", "--location", "户内", "--summary", "卫生间漏水", "--customer", a, at: "2026-11-30 09:00")

        let due = try JSONSerialization.jsonObject(with: Data(try g.ok("callback", "due", "--date", "2026-11-30", "--days", "6", "--json",
                                                                       now: "2026-11-30 09:30").utf8)) as! [[String: Any]]
        func entries(_ list: [[String: Any]]) -> Set<String> {
            Set(list.map { "\($0["due"]!) \($0["programme"]!) \(($0["ticket"] as? String) ?? ($0["customer"] as! String))" })
        }
        // 11-30: the complaint's next-day callback (monthly plan, four classes), the repair's
        // daily callback, 李四's monthly special-care callback; 12-05: 欧阳娜娜, new resident.
        #expect(entries(due) == ["2026-11-30 monthly_plan \(complaint)", "2026-11-30 daily \(repair)", "2026-11-30 special_care \(b)",
                                 "2026-12-05 new_resident \(a)"])
        #expect(due.first { $0["programme"] as? String == "monthly_plan" }?["reasons"] as? [String] == ["complaint"])
        #expect(due.first { $0["programme"] as? String == "new_resident" }?["butler"] as? String == "B01")
        // The front desk calls its own customers: names in clear (and the view audited).
        #expect(due.first { $0["programme"] as? String == "special_care" }?["name"] as? String == "李四")
        let table = try g.ok("callback", "due", "--date", "2026-11-30", now: "2026-11-30 09:30")
        #expect(table.contains("特殊居民回访") && table.contains("日回访") && table.contains("月度回访计划") && !table.contains("新入住回访"))

        // Callbacks without a request discharge customer programmes; the script is recorded.
        try g.ok("callback", "add", "--customer", b, "--programme", "special-care", "--result", "satisfied", now: "2026-11-30 10:00")
        let noProgramme = try g.runArgs(["callback", "add", "--customer", b, "--result", "satisfied"])
        #expect(noProgramme.status == 1 && noProgramme.err.contains("names its programme"))
        try g.ok("callback", "add", complaint, "--result", "satisfied", "--steps", "greeting,introduction,recap,satisfaction,thanks,record",
                 now: "2026-11-30 10:10")
        let noQuestion = try g.runArgs(["callback", "add", complaint, "--result", "satisfied", "--steps", "greeting,record"])
        #expect(noQuestion.status == 1 && noQuestion.err.contains("satisfaction"))
        let after = try JSONSerialization.jsonObject(with: Data(try g.ok("callback", "due", "--date", "2026-11-30", "--json",
                                                                         now: "2026-11-30 10:30").utf8)) as! [[String: Any]]
        #expect(entries(after) == ["2026-11-30 daily \(repair)"])

        // The repair done and called back 不满意: the butler's follow-up is created, and the
        // provider is told the result (4.2.14.2).
        try done(g, repair, dispatch: "2026-11-30 09:05", arrive: "2026-11-30 09:25", complete: "2026-11-30 11:00")
        let out = try g.ok("callback", "add", repair, "--method", "on-site", "--signed", "--result", "unsatisfied", "--told-provider",
                           "--comment", "仍有渗水", "--requests", "顺便看看阳台灯", now: "2026-11-30 14:00")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines[1].hasPrefix("follow-up fu-"))
        let fu = String(lines[1].dropFirst("follow-up ".count))
        let open = try JSONSerialization.jsonObject(with: Data(try g.ok("followup", "list", "--json").utf8)) as! [[String: Any]]
        #expect(open.count == 1 && open[0]["butler"] as? String == "B01" && open[0]["state"] as? String == "open"
                && open[0]["dueOn"] as? String == "2026-12-01" && open[0]["ticketNumber"] as? String == repair)
        let early = try g.runArgs(["followup", "close", fu, "--outcome", "已修好"])
        #expect(early.status == 1 && early.err.contains("no visit yet"))
        try g.ok("followup", "visit", fu, "--note", "管家上门查看，确认渗水", now: "2026-12-01 10:00", staff: "B01")
        try g.ok("followup", "close", fu, "--outcome", "返修后业主满意", now: "2026-12-02 16:00", staff: "B01")
        #expect(try g.ok("followup", "list") == "(no follow-ups)")
        let shown = try JSONSerialization.jsonObject(with: Data(try g.ok("ticket", "show", repair, "--json").utf8)) as! [String: Any]
        let steps = (shown["timeline"] as! [[String: Any]]).compactMap { $0["action"] as? String }
        // (Steps of one transaction share their instant; their order among themselves is not kept.)
        #expect(Set(steps.suffix(5)) == ["callback", "provider-told", "follow-up", "follow-up-visit", "follow-up-close"])
        let calls = try JSONSerialization.jsonObject(with: Data(try g.ok("callback", "list", "--ticket", repair, "--json").utf8)) as! [[String: Any]]
        #expect(calls.count == 1 && calls[0]["providerToldBy"] as? String == "S001" && calls[0]["requests"] as? String == "顺便看看阳台灯")
        #expect(calls[0]["steps"] as? [String] == CallbackStep.allCases.map(\.rawValue))
    }
}
