import Foundation
import TestSupport
import ServiceDesk
import Testing

/// Issue 16's proof: one month (November 2026) at center C001 played through the command
/// line, and every figure of `report monthly` worked out **by hand** below from the seeds'
/// definitions (001 P7.9-8, 001 回访操作指引, 003; the readings in docs/REPORTS.md), not
/// from the code. The CSV, JSON and HTML reports and `callback plan` must agree with the
/// hand figures and with each other.
///
/// November 2026: Sunday the 1st; no holidays (Mon–Fri, 09:00–18:00). Staff: S001 front
/// desk, T01 technician (2019), T02 technician hired 2026-10-15 (新人 until 2027-01-15),
/// T03 technician (2019, complained about on 11-10), M01 center manager, B01 butler.
/// Customers (registered 11-01, D on 10-15): A 欧阳娜娜 (moved in 10-20, butler B01), B 李四,
/// C 王五, D 赵六 (on the refused list since 10-15), E 钱七 (special care, moved in 10-25).
///
/// | job | what | customer | dispatch → arrive | completed | callbacks |
/// |---|---|---|---|---|---|
/// | R1 | in-home repair, T01 | A | 11-02 09:00 → 09:20 | 11-02 10:00 | 11-03 phone 满意 |
/// | R2 | in-home repair, T02 (new) | B | 11-03 09:00 → 09:50 (late) | 11-03 11:00 | 11-04 on site 满意, signed |
/// | R3 | common-area repair, T01 | C | 11-04 09:00 → 09:10 | 11-04 10:00 | — |
/// | R4 | in-home repair, T01, turns chargeable ¥50, T01 collects (4.2.11); work differs (4.2.10, unconfirmed) | A | 11-05 14:00 → 14:20 | 11-05 15:00 | 11-06 on site 不满意, provider told → follow-up, visited 11-07, closed 11-09 |
/// | S5 | price-list service ¥80, paid at the desk; damage ¥30 (4.3.5), fee reduced ¥20 (4.3.6) | B | 11-09 09:00 → 09:25 | 11-09 10:00 | 11-11 phone 基本满意 |
/// | C6 | complaint class 1 about T03, answered 09:30, resolved by the desk | C | — | 11-10 15:00 | 11-11 phone 满意 |
/// | R7 | in-home repair, T03 (complained about that morning) | B | 11-10 16:00 → 16:20 | 11-10 17:00 | — |
/// | R8 | in-home repair, T01 | D (refuses) | 11-12 09:00 → 09:15 | 11-12 10:00 | — |
/// | I9 | inquiry, answered and closed | A | — | closed 11-13 | — |
/// | R10 | in-home repair, T01, reopened 11-17 and redone | C | 11-17 09:00 → 09:20 | 11-17 10:00 | 11-18 phone 满意 |
/// | R11 | in-home repair sent to a supplier (美的售后) | E | 11-18 09:00 → 09:20 | 11-18 11:00 | 11-18 12:00 phone 满意 |
/// | R12 | in-home repair, T01; work differs, confirmed by M01 | A | 11-19 09:00 → 09:10 | 11-19 10:00 | 11-20 phone 满意 |
/// | R13 | in-home repair, T01 | B | 11-20 09:00 → 09:10 | 11-20 10:00 | — |
///
/// Without a request: A new-resident 11-16 满意; E special-care 11-27 on site 满意; survey
/// responses A (11-20 on site, all 满意), B (11-21 phone, overall 不满意 → follow-up), E (11-23,
/// overall 基本满意, 服务质量 不满意). Custody: A's item damaged 11-25, customer not told.
@Suite(.serialized) struct ManualMonthEndToEndTests {
    /// The hand-derived figures of November, by report key (the CSV `value` column).
    static let expected: [String: String] = [
        // Intake (opened in November): R1–R13 with C6, I9: 13; repairs R1 R2 R3 R4 R7 R8 R10
        // R11 R12 R13 = 10, of which R3 in the common area.
        "requests": "13", "requests.kind.repair": "10", "requests.kind.complaint": "1", "requests.kind.service": "1",
        "requests.kind.inquiry": "1", "requests.kind.suggestion": "0",
        "repairs.location.in_home": "9", "repairs.location.common_area": "1", "repairs.location.unrecorded": "0",
        "complaints": "1", "complaints.class.1": "1",
        // Handling deadlines (24 h answer; complaint 1 working day; 30-minute arrival for
        // commissioned services, 4.2.7): only R2 missed one (arrived after 50 minutes).
        "on_time": "12", "overdue": "1", "pending": "0", "timeliness": "12/13 (92.3 %)",
        // Resolved at the first contact, no dispatch, no reopen: C6 and I9 (002's 55 %).
        "first_call_resolution": "2/13 (15.4 %)",
        "complaints.open_now": "0", "complaints.overdue_now": "0", "complaints.handled": "1",
        "handling.working.avg": "6.0 h", "handling.calendar.avg": "6.0 h", "handling.within_24h": "1/1 (100.0 %)",
        // 4.4.1 over all commissioned services completed: in-home R1 R2 R4 R7 R8 R10 R11 R12 R13
        // + S5 = 10. 及时率: all arrived in 30 minutes but R2 → 9/10. 合格率: R10 reworked, S5
        // damaged and its fee reduced → 8/10. 满意率, latest reached answer: R1 R2 R10 R11 R12
        // 满意, S5 基本满意, R4 不满意 → 6/7 (R7, R8, R13 never reached).
        "services": "10", "services.in_home_repairs": "9", "services.timeliness": "9/10 (90.0 %)",
        "services.pass": "8/10 (80.0 %)", "services.satisfaction": "6/7 (85.7 %)",
        // 4.2.14.4: owed = the 10 less R8 (D refuses, never attempted) = 9; reached within two
        // days of completion: R1 R2 R4 S5 (11-11 = 2nd day) R10 R11 R12 = 7; on site: R2 R4.
        "callbacks.owed": "9", "callbacks.done": "7", "callbacks.rate": "7/9 (77.8 %)", "callbacks.on_site_rate": "2/9 (22.2 %)",
        "callbacks.late": "0", "callbacks.refused": "0",
        // 回访操作指引 1: in-home repairs completed with a callable customer: R1 R2 R4 R7 R10 R11
        // R12 R13 = 8; 30 % → ⌈2.4⌉ = 3. Four classes among them: R2 (新人), R4 (有偿), R7
        // (曾被投诉: C6 named T03 at 09:00, R7 done 17:00) = 3 ≥ 3 — but the sample is drawn day
        // by day: on 11-02 R1 alone stood, ⌈30 % × 1⌉ = 1, so R1 was drawn; from then on the
        // four classes kept the plan at or above ⌈30 %⌉ of the repairs so far (11-10: 4 ≥ 2;
        // 11-20: 4 ≥ 3). Four classes outside the repairs: S5 (paid service), C6 (complaint).
        "plan.pool": "8", "plan.sample_target": "3", "plan.four_class_in_pool": "3", "plan.four_class_other": "2",
        "plan.sampled": "1",
        // 4.2.14.4 selection, day by day to ⌈60 %⌉ of the commissioned services so far, the
        // plan's counting first: the plan holds R1 R2 R4 S5 R7 = 5; after 11-20 there are 9
        // services, ⌈5.4⌉ = 6 > 5, so that day's other service, R13, is selected.
        "plan.selected": "1",
        // Programmes, duties due in November.
        // Monthly plan (next day): R1 ✓ 11-03, R2 ✓ 11-04, R4 ✓ 11-06, C6 ✓ 11-11, S5 late
        // (due 11-10, called 11-11), R7 never → 4 on time of 6.
        "programme.monthly_plan.owed": "6", "programme.monthly_plan.on_time": "4", "programme.monthly_plan.late": "1",
        "programme.monthly_plan.overdue": "1", "programme.monthly_plan.completion": "4/6 (66.7 %)",
        // The selection: R13, due 11-22, never called.
        "programme.commissioned.owed": "1", "programme.commissioned.overdue": "1", "programme.commissioned.completion": "0/1 (0.0 %)",
        // Daily (003 (1) 二 1, 当日): every repair received, due the day received (before
        // 18:00): R1 R2 R3 R4 R7 R10 R11 R12 R13 (R8: D refuses). Same day: R11 only; next
        // day: R1 R2 R4 R10 (11-18 for 11-16) R12; never: R3 R7 R13.
        "programme.daily.owed": "9", "programme.daily.on_time": "1", "programme.daily.late": "5", "programme.daily.overdue": "3",
        "programme.daily.completion": "1/9 (11.1 %)",
        // Special (003 (1) 二 2): R11 sent to the supplier 11-18, called that day.
        "programme.special.owed": "1", "programme.special.on_time": "1", "programme.special.completion": "1/1 (100.0 %)",
        // New residents (003 (3) 二 1 (1)): A (10-20 → due 11-20, called 11-16), E (10-25 →
        // due 11-25, never called).
        "programme.new_resident.owed": "2", "programme.new_resident.on_time": "1", "programme.new_resident.overdue": "1",
        "programme.new_resident.completion": "1/2 (50.0 %)",
        // Special care (003 (4) 二 3, monthly): E, November, called 11-27.
        "programme.special_care.owed": "1", "programme.special_care.on_time": "1",
        // Nothing else falls due in November: quarters, half-years and the survey end in
        // December, C6's one-month complaint callback is due 12-10.
        "programme.quarterly.owed": "0", "programme.annual_survey.owed": "0", "programme.resident.owed": "0",
        "programme.complaint_follow_up.owed": "0", "programme.departing.owed": "0",
        // Survey (003 (1) 二 4): 3 responses, overall 满意 (A), 不满意 (B), 基本满意 (E) → 2/3,
        // below 002's 68 %; 服务质量 2/3 (E 不满意), the rest 3/3.
        "survey.responses": "3", "survey.satisfaction": "2/3 (66.7 %)", "survey.item.overall": "2/3 (66.7 %)",
        "survey.item.quality": "2/3 (66.7 %)", "survey.item.timeliness": "3/3 (100.0 %)",
        // Follow-ups: R4's (closed 11-09) and B's survey answer (11-21, due 11-22, still open).
        "follow_ups.opened": "2", "follow_ups.closed": "1", "follow_ups.open_now": "1", "follow_ups.overdue_now": "1",
        // Exceptions: R4 and R12 changed (R12 confirmed), S5 damage ¥30 and ¥20 off.
        "exceptions.work_differs": "2", "exceptions.unconfirmed": "1", "exceptions.damage": "1", "exceptions.compensation": "¥30.00",
        "exceptions.fee_adjusted": "1", "exceptions.fee_reduction": "¥20.00",
        // Custody (P7.12-1 4.2.9): A's item damaged, not yet reported.
        "custody.lost": "0", "custody.damaged": "1", "custody.unfit": "0", "custody.unreported": "1",
        "complaints.repeat": "0", "complaints.about_staff": "1",
    ]

    func play(_ g: Gatehouse) throws -> [String: String] {
        _ = try g.setUpNode()   // S001, T01, M01 and a first customer we do not use
        let admin = TestLogin.admin
        try g.ok("staff", "add", "--id", "T02", "--name", "赵新人", "--role", "technician", "--hire-date", "2026-10-15", staff: admin)
        try g.ok("staff", "add", "--id", "T03", "--name", "周师傅", "--role", "technician", "--hire-date", "2019-03-01", staff: admin)
        try g.ok("staff", "add", "--id", "B01", "--name", "孙管家", "--role", "butler", "--hire-date", "2020-01-01", staff: admin)
        let d = try g.ok("customer", "add", "--name", "赵六", "--phone", "13700000004", "--unit", "1栋104", now: "2026-10-15 09:00")
        try g.ok("customer", "refuse-callbacks", d, "--reason", "不接受回访", now: "2026-10-15 09:05")
        let boot = "2026-11-01 08:00"
        let a = try g.ok("customer", "add", "--name", "欧阳娜娜", "--phone", "13700000001", "--unit", "1栋101", "--move-in", "2026-10-20", now: boot)
        try g.ok("customer", "update", a, "--butler", "B01", now: boot)
        let b = try g.ok("customer", "add", "--name", "李四", "--phone", "13700000002", "--unit", "1栋102", now: boot)
        let c = try g.ok("customer", "add", "--name", "王五", "--phone", "13700000003", "--unit", "1栋103", now: boot)
        let e = try g.ok("customer", "add", "--name", "钱七", "--phone", "13700000005", "--unit", "1栋105", "--move-in", "2026-10-25",
                         "--special-care", now: boot)
        try g.ok("survey", "create", "--year", "2026", now: boot, staff: "M01")

        var n: [String: String] = [:]
        @discardableResult
        func run(_ args: [String], now: String, staff: String? = nil) throws -> String {
            let r = try g.runArgs(args, now: now, staff: staff)
            #expect(r.status == 0, "gatehouse \(args.joined(separator: " ")): \(r.err)")
            return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func open(_ key: String, _ args: [String], _ customer: String, at t: String) throws {
            let r = try g.runArgs(["ticket", "open", "--customer", customer, "--summary", key] + args, now: t)
            #expect(r.status == 0, "\(key): \(r.err)")
            n[key] = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func work(_ key: String, to: String = "T01", supplier: Bool = false, _ day: String, _ dispatch: String, _ arrive: String,
                  _ complete: String) throws {
            try run(["ticket", "dispatch", n[key]!, "--to", to] + (supplier ? ["--supplier"] : []), now: "\(day) \(dispatch)")
            try g.ok("ticket", "arrive", n[key]!, now: "\(day) \(arrive)", staff: supplier ? "S001" : to)
            try g.ok("ticket", "complete", n[key]!, now: "\(day) \(complete)", staff: supplier ? "S001" : to)
        }
        func call(_ key: String, _ at: String, _ args: String...) throws {
            try run(["callback", "add", n[key]!] + args, now: at)
        }
        let inHome = ["--kind", "repair", "--location", "户内"]

        try open("R1", inHome, a, at: "2026-11-02 09:00")
        try work("R1", "2026-11-02", "09:00", "09:20", "10:00")
        try call("R1", "2026-11-03 10:00", "--result", "满意")

        try open("R2", inHome, b, at: "2026-11-03 09:00")
        try work("R2", to: "T02", "2026-11-03", "09:00", "09:50", "11:00")
        try call("R2", "2026-11-04 10:00", "--method", "on-site", "--signed", "--result", "满意")

        try open("R3", ["--kind", "repair", "--location", "common-area"], c, at: "2026-11-04 09:00")
        try work("R3", "2026-11-04", "09:00", "09:10", "10:00")

        try open("R4", inHome, a, at: "2026-11-05 14:00")
        try g.ok("ticket", "dispatch", n["R4"]!, "--to", "T01", now: "2026-11-05 14:00")
        try g.ok("ticket", "arrive", n["R4"]!, now: "2026-11-05 14:20", staff: "T01")
        try g.ok("ticket", "exception", n["R4"]!, "--kind", "work-differs", "--detail", "需更换整个阀门", now: "2026-11-05 14:30", staff: "T01")
        try g.ok("ticket", "complete", n["R4"]!, now: "2026-11-05 15:00", staff: "T01")
        try g.ok("ticket", "service", n["R4"]!, "--fee", "50", now: "2026-11-05 15:05")
        try g.ok("ticket", "pay", n["R4"]!, "--receipt", "R-1104", "--by-provider", now: "2026-11-05 15:10", staff: "T01")
        let r4 = try g.ok("callback", "add", n["R4"]!, "--method", "on-site", "--signed", "--result", "不满意", "--told-provider",
                          now: "2026-11-06 10:00")
        let fu4 = String(r4.split(separator: "\n")[1].dropFirst("follow-up ".count))
        try g.ok("followup", "visit", fu4, "--note", "阀门仍有异响", now: "2026-11-07 10:00", staff: "B01")
        try g.ok("followup", "close", fu4, "--outcome", "更换垫片，业主认可", now: "2026-11-09 11:00", staff: "B01")

        try open("S5", ["--kind", "service"], b, at: "2026-11-09 09:00")
        try work("S5", "2026-11-09", "09:00", "09:25", "10:00")
        try g.ok("ticket", "service", n["S5"]!, "--fee", "80", now: "2026-11-09 10:05")
        try g.ok("ticket", "pay", n["S5"]!, "--receipt", "R-1105", now: "2026-11-09 10:10")
        try g.ok("ticket", "exception", n["S5"]!, "--kind", "damage", "--detail", "划伤地板", "--amount", "30", now: "2026-11-09 11:00", staff: "M01")
        try g.ok("ticket", "exception", n["S5"]!, "--kind", "减免", "--detail", "清洗不彻底，返工后减免", "--amount", "20",
                 now: "2026-11-09 11:05", staff: "M01")
        try call("S5", "2026-11-11 10:30", "--result", "基本满意")

        try open("C6", ["--kind", "complaint", "--class", "1", "--about-staff", "T03"], c, at: "2026-11-10 09:00")
        try g.ok("ticket", "answer", n["C6"]!, "--note", "已联系保洁主管", now: "2026-11-10 09:30")
        try g.ok("ticket", "complete", n["C6"]!, now: "2026-11-10 15:00")
        try call("C6", "2026-11-11 11:00", "--result", "满意")

        try open("R7", inHome, b, at: "2026-11-10 16:00")
        try work("R7", to: "T03", "2026-11-10", "16:00", "16:20", "17:00")

        try open("R8", inHome, d, at: "2026-11-12 09:00")
        try work("R8", "2026-11-12", "09:00", "09:15", "10:00")

        try open("I9", ["--kind", "inquiry"], a, at: "2026-11-13 10:00")
        try g.ok("ticket", "answer", n["I9"]!, now: "2026-11-13 10:05")
        try g.ok("ticket", "close", n["I9"]!, now: "2026-11-13 10:10")

        try open("R10", inHome, c, at: "2026-11-16 09:00")
        try work("R10", "2026-11-16", "09:00", "09:15", "10:00")
        try g.ok("ticket", "reopen", n["R10"]!, now: "2026-11-17 09:00")
        try work("R10", "2026-11-17", "09:00", "09:20", "10:00")
        try call("R10", "2026-11-18 10:00", "--result", "满意")

        try open("R11", inHome, e, at: "2026-11-18 09:00")
        try work("R11", to: "美的售后", supplier: true, "2026-11-18", "09:00", "09:20", "11:00")
        try call("R11", "2026-11-18 12:00", "--result", "满意")

        try open("R12", inHome, a, at: "2026-11-19 09:00")
        try g.ok("ticket", "dispatch", n["R12"]!, "--to", "T01", now: "2026-11-19 09:00")
        try g.ok("ticket", "arrive", n["R12"]!, now: "2026-11-19 09:10", staff: "T01")
        let ex = try g.ok("ticket", "exception", n["R12"]!, "--kind", "work-differs", "--detail", "另需加装角阀", now: "2026-11-19 09:20", staff: "T01")
        try g.ok("ticket", "confirm-change", ex, now: "2026-11-19 09:25", staff: "M01")
        try g.ok("ticket", "complete", n["R12"]!, now: "2026-11-19 10:00", staff: "T01")
        try call("R12", "2026-11-20 10:00", "--result", "满意")

        try open("R13", inHome, b, at: "2026-11-20 09:00")
        try work("R13", "2026-11-20", "09:00", "09:10", "10:00")

        // Callbacks without a request.
        try g.ok("callback", "add", "--customer", a, "--programme", "new-resident", "--result", "满意", now: "2026-11-16 15:00")
        try g.ok("callback", "add", "--customer", e, "--programme", "special-care", "--method", "on-site", "--result", "满意",
                 now: "2026-11-27 15:00")
        let all = ["timeliness", "courtesy", "quality", "facilities", "cleanliness", "security"]
        try run(["callback", "add", "--customer", a, "--programme", "annual-survey", "--method", "on-site", "--answer", "overall=满意"]
                    + all.flatMap { ["--answer", "\($0)=满意"] }, now: "2026-11-20 15:00", staff: "B01")
        let survey = try run(["callback", "add", "--customer", b, "--programme", "annual-survey", "--answer", "overall=不满意"]
                                + all.flatMap { ["--answer", "\($0)=满意"] }, now: "2026-11-21 10:00", staff: "B01")
        #expect(survey.contains("follow-up fu-"))
        try run(["callback", "add", "--customer", e, "--programme", "annual-survey", "--answer", "overall=基本满意", "--answer", "quality=不满意"]
                    + all.filter { $0 != "quality" }.flatMap { ["--answer", "\($0)=满意"] }, now: "2026-11-23 10:00", staff: "B01")

        let item = try g.ok("custody", "receive", "--customer", a, "--description", "电动车充电器", "--condition", "完好", "--verified",
                            now: "2026-11-20 18:00")
        try g.ok("custody", "incident", item, "--kind", "damaged", "--detail", "外壳开裂", now: "2026-11-25 09:00")
        return n
    }

    @Test func novemberAtACenterAgreesWithTheManualInEveryFormat() throws {
        var g = try Gatehouse()
        defer { g.cleanUp() }
        let n = try play(g)
        g.now = "2026-12-03 09:00"

        // CSV: every hand figure, by key.
        let csv = try CSVReader.parse(try g.ok("report", "monthly", "--month", "2026-11", "--format", "csv"))
        let header = csv[0].fields.map { $0.replacingOccurrences(of: "\u{FEFF}", with: "") }
        let key = header.firstIndex(of: "measure")!, value = header.firstIndex(of: "value")!, number = header.firstIndex(of: "number")!
        var values: [String: String] = [:], numbers: [String: String] = [:]
        for r in csv.dropFirst() where r.fields[0] == "C001" {
            values[r.fields[key]] = r.fields[value]
            numbers[r.fields[key]] = r.fields[number]
        }
        for (k, v) in Self.expected.sorted(by: { $0.key < $1.key }) {
            #expect(values[k] == v, "\(k): report \(values[k] ?? "missing"), by hand \(v)")
        }

        // JSON: the same measures.
        let json = try JSONSerialization.jsonObject(with: Data(try g.ok("report", "monthly", "--month", "2026-11", "--format", "json").utf8))
            as! [String: Any]
        let row = (json["rows"] as! [[String: Any]])[0]
        let m = row["current"] as! [String: Any], rates = row["currentRates"] as! [String: [String: Any]]
        func ratio(_ name: String) -> String {
            let r = rates[name]!
            return Ratio(r["numerator"] as! Int, of: r["denominator"] as! Int).description
        }
        #expect(m["requests"] as? Int == 13 && m["services"] as? Int == 10 && m["callbacksOwed"] as? Int == 9)
        #expect(ratio("callback_rate") == values["callbacks.rate"] && ratio("on_site_rate") == values["callbacks.on_site_rate"])
        #expect(ratio("service_timeliness") == values["services.timeliness"] && ratio("service_pass") == values["services.pass"])
        #expect(ratio("service_satisfaction") == values["services.satisfaction"])
        #expect(ratio("survey_satisfaction") == values["survey.satisfaction"] && ratio("first_call_resolution") == values["first_call_resolution"])
        for p in CallbackProgramme.allCases {
            #expect(ratio("programme_\(p.rawValue)") == values["programme.\(p.rawValue).completion"], "\(p)")
        }
        #expect(m["planSampled"] as? Int == 1 && m["planSelected"] as? Int == 1 && m["compensationFen"] as? Int == 3000)

        // HTML: every figure's text is on the page.
        let html = try g.ok("report", "monthly", "--month", "2026-11", "--format", "html")
        for k in ["timeliness", "services.pass", "services.satisfaction", "callbacks.rate", "callbacks.on_site_rate", "survey.satisfaction",
                  "programme.monthly_plan.completion", "programme.daily.completion", "exceptions.compensation", "first_call_resolution"] {
            #expect(html.contains(values[k]!), "HTML lacks \(k) = \(values[k]!)")
        }

        // `callback plan`: the same plan and figures.
        let plan = try JSONSerialization.jsonObject(with: Data(try g.ok("callback", "plan", "--month", "2026-11", "--json").utf8)) as! [String: Any]
        #expect(plan["samplePoolSize"] as? Int == 8 && plan["sampleTarget"] as? Int == 3 && plan["fourClassInPool"] as? Int == 3)
        #expect(plan["commissionedPoolSize"] as? Int == 9 && plan["commissionedTarget"] as? Int == 6)
        let planned = (plan["callbacks"] as! [[String: Any]])
        let byJob = Dictionary(uniqueKeysWithValues: planned.map { ($0["jobID"] as! String, ($0["reasons"] as! [String]).sorted()) })
        var ids: [String: String] = [:]
        for (k, number) in n {
            let shown = try JSONSerialization.jsonObject(with: Data(try g.ok("ticket", "show", number, "--json").utf8)) as! [String: Any]
            ids[k] = (shown["ticket"] as! [String: Any])["id"] as? String
        }
        #expect(byJob[ids["R1"]!] == ["sampled"] && byJob[ids["R2"]!] == ["new_staff"] && byJob[ids["R4"]!] == ["paid_service"])
        #expect(byJob[ids["R7"]!] == ["previously_complained_staff"] && byJob[ids["S5"]!] == ["paid_service"] && byJob[ids["C6"]!] == ["complaint"])
        #expect(byJob[ids["R13"]!] == ["commissioned_service"] && byJob.count == 7)
        let figures = plan["figures"] as! [String: Any]
        for (k, v) in numbers where !v.isEmpty {
            if let f = figures[k] as? Double { #expect(String(describing: f) == v || Double(v) == f, "callback plan \(k): \(f) vs \(v)") }
        }
        let planRates = plan["rates"] as! [String: [String: Int]]
        #expect(Ratio(planRates["plan_completion"]!["numerator"]!, of: planRates["plan_completion"]!["denominator"]!).description
                == values["programme.monthly_plan.completion"])
        #expect(Ratio(planRates["callback_rate"]!["numerator"]!, of: planRates["callback_rate"]!["denominator"]!).description
                == values["callbacks.rate"])

        // The timelines carry the exceptions, the collection at the door and the follow-up.
        func timeline(_ key: String) throws -> String {
            let shown = try JSONSerialization.jsonObject(with: Data(try g.ok("ticket", "show", n[key]!, "--json").utf8)) as! [String: Any]
            return (shown["timeline"] as! [[String: Any]]).compactMap { $0["detail"] as? String }.joined(separator: "\n")
        }
        let s5 = try timeline("S5")
        #expect(s5.contains("损失赔偿（001 P7.9-8 4.3.5）：划伤地板 赔偿 ¥30.00") && s5.contains("费用减免（001 P7.9-8 4.3.6）") && s5.contains("退还 ¥20.00"))
        let r4 = try timeline("R4")
        #expect(r4.contains("服务提供人员代收（4.2.11）") && r4.contains("回访结果已告知服务提供方 T01") && r4.contains("跟进关闭"))
    }

    @Test func theQuarterListsItsCorrectiveActionsAndOnlyHeadOfficeDecides() throws {
        let g = try Gatehouse()
        defer { g.cleanUp() }
        _ = try g.setUpNode()
        let id = try g.ok("corrective", "add", "--quarter", "2026-Q4", "--finding", "日回访当日完成率低", "--action", "前台每日17:00前完成当日回访",
                          now: "2026-12-03 10:00", staff: "M01")
        let denied = try g.runArgs(["corrective", "add", "--quarter", "2026-Q4", "--finding", "x", "--action", "y"])
        #expect(denied.status == 1 && denied.err.contains("permission denied: front_desk may not record corrective actions"))
        let atNode = try g.runArgs(["corrective", "approve", id], staff: "M01")
        #expect(atNode.status == 1 && atNode.err.contains("permission denied"))
        let notYet = try g.runArgs(["corrective", "done", id], staff: "M01")
        #expect(notYet.status == 1 && notYet.err.contains("待审批"))
        let csv = try g.ok("report", "quarterly", "--quarter", "2026-Q4", "--format", "csv", now: "2026-12-03 11:00")
        #expect(csv.contains("corrective_action.\(id)") && csv.contains("待审批") && csv.contains("日回访当日完成率低 → 前台每日17:00前完成当日回访"))
        let table = try g.ok("corrective", "list", "--quarter", "2026-Q4")
        #expect(table.contains(id) && table.contains("待审批"))
    }
}
