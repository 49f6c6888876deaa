import Foundation
import ServiceDesk
import Testing

/// The visibility policy as a matrix: every role × every personal field × the record
/// contexts that change the answer (own or other center, assigned or not, open or closed,
/// with or without a grant).
@Suite struct VisibilityTests {
    let own = RecordContext(center: "C001", customer: "cu-1")
    func request(assignee: String?, open: Bool = true) -> RecordContext {
        RecordContext(center: "C001", customer: "cu-1", isRequest: true, assignee: assignee, open: open)
    }
    func viewer(_ role: StaffRole?, _ staff: String = "X01", at center: String = "C001") -> Viewer {
        Viewer(staff: staff, role: role, center: center)
    }
    func clearFields(_ v: Viewer, _ ctx: RecordContext, grants: [GrantScope] = []) -> Set<PersonalField> {
        Set(PersonalField.allCases.filter { Visibility.field($0, viewer: v, record: ctx, grants: grants).isClear })
    }

    @Test(arguments: [StaffRole.frontDesk, .butler, .serviceLead, .managerAssistant, .centerManager])
    func centerStaffSeeTheirOwnCustomersInClearAndOthersMasked(role: StaffRole) {
        #expect(clearFields(viewer(role), own) == Set(PersonalField.allCases))
        #expect(clearFields(viewer(role), request(assignee: "T01")) == Set(PersonalField.allCases))
        #expect(clearFields(viewer(role, at: "C002"), own).isEmpty)
        #expect(Visibility.field(.phone, viewer: viewer(role, at: "C002"), record: own) == .masked)
    }

    @Test(arguments: [StaffRole.technician, .supplier])
    func aTechnicianSeesOnlyAssignedOpenRequestsAndOnlyPhoneAndUnit(role: StaffRole) {
        let me = viewer(role, "T01")
        #expect(!Visibility.canSee(me, own), "no customer list")
        #expect(!Visibility.canSee(me, request(assignee: "T02")), "reassigned: gone")
        #expect(Visibility.canSee(me, request(assignee: "T01")))
        #expect(clearFields(me, request(assignee: "T01")) == [.phone, .address])
        #expect(Visibility.field(.name, viewer: me, record: request(assignee: "T01")) == .masked)
        #expect(clearFields(me, request(assignee: "T01", open: false)).isEmpty, "closed: masked")
        #expect(Visibility.field(.phone, viewer: me, record: request(assignee: "T02")) == .hidden)
    }

    @Test func aCashierSeesUnitsOnly() {
        #expect(clearFields(viewer(.cashier), own) == [.address])
        #expect(Visibility.field(.name, viewer: viewer(.cashier), record: own) == .masked)
    }

    @Test func anAdministratorSeesNoPersonalDataAndAnUnknownRoleSeesItMasked() {
        for f in PersonalField.allCases {
            #expect(Visibility.field(f, viewer: viewer(.administrator), record: own) == .hidden)
            #expect(Visibility.field(f, viewer: viewer(nil), record: own) == .masked)
        }
        #expect(Visibility.render("13812345678", .phone, .hidden) == "***")
    }

    @Test(arguments: [StaffRole.quality, .operations, .executive])
    func headOfficeSeesClearOnlyUnderAGrantCoveringCustomerAndField(role: StaffRole) {
        let q = viewer(role, "Q01", at: "HQ")
        #expect(clearFields(q, own).isEmpty)
        let whole = GrantScope(id: "gr-1", center: "C001", grantee: "Q01", customers: nil, fields: [.name, .phone], purpose: "投诉核查")
        #expect(clearFields(q, own, grants: [whole]) == [.name, .phone])
        #expect(Visibility.field(.phone, viewer: q, record: own, grants: [whole]) == .clear(grant: "gr-1"))
        let someoneElse = GrantScope(id: "gr-2", center: "C001", grantee: "Q02", customers: nil, fields: [.phone], purpose: "x")
        #expect(clearFields(q, own, grants: [someoneElse]).isEmpty, "a grant acts only for its grantee")
        let otherCustomer = GrantScope(id: "gr-3", center: "C001", grantee: "Q01", customers: ["cu-2"], fields: [.phone], purpose: "x")
        #expect(clearFields(q, own, grants: [otherCustomer]).isEmpty)
        let otherCenter = GrantScope(id: "gr-4", center: "C002", grantee: "Q01", customers: nil, fields: [.phone], purpose: "x")
        #expect(clearFields(q, own, grants: [otherCenter]).isEmpty)
    }

    @Test func masksFollowTheMaskingRules() {
        #expect(Visibility.render("张三丰", .name, .masked) == "张**")
        #expect(Visibility.render("13812345678", .phone, .masked) == "138****5678")
        #expect(Visibility.render("110105199001011234", .idNumber, .masked) == "1101**********1234")
        #expect(Visibility.render("3栋2单元1101", .address, .masked) == "3栋****")
        #expect(Visibility.render("3栋2单元1101", .address, .clear(grant: nil)) == "3栋2单元1101")
    }

    @Test func theDisclosureAuditsClearViewsOnly() throws {
        let c = try JSONDecoder().decode(Customer.self, from: Data("""
            {"id":"cu-1","center":"C001","name":"张三","phone":"13812345678","unit":"3栋2单元1101","specialCare":false,"refusedCallback":false,"tags":[]}
            """.utf8))
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let desk = Disclosure(viewer: viewer(.frontDesk, "S001"), grants: [], now: now)
        let (clear, _, event) = try #require(desk.customer(c))
        #expect(clear.phone == "13812345678" && event?.fields == ["address", "name", "phone"] && event?.record == "customer/cu-1")
        let hq = Disclosure(viewer: viewer(.quality, "Q01", at: "HQ"), grants: [], now: now)
        let (masked, _, none) = try #require(hq.customer(c))
        #expect(masked.name == "张*" && masked.phone == "138****5678" && masked.unit == "3栋****" && none == nil)
        let g = GrantScope(id: "gr-9", center: "C001", grantee: "Q01", customers: ["cu-1"], fields: [.phone], purpose: "回访核对")
        let (granted, _, audited) = try #require(Disclosure(viewer: viewer(.quality, "Q01", at: "HQ"), grants: [g], now: now, action: "export").customer(c))
        #expect(granted.phone == "13812345678" && granted.name == "张*")
        #expect(audited?.grant == "gr-9" && audited?.purpose == "回访核对" && audited?.fields == ["phone"] && audited?.action == "export")
    }
}
