import ServiceDesk
import Testing
@testable import WebDesk

@Suite struct NavigationTests {
    func labels(_ site: Site, _ role: StaffRole?) -> [String] { Navigation.items(site: site, role: role, path: "/").map(\.label) }

    @Test func theDeskShowsEachRoleWhatItWorksWith() {
        #expect(labels(.desk, .frontDesk) == ["工作台", "顾客", "工单", "回访", "邮件", "寄存", "价目表", "冲突", "同步"])
        #expect(labels(.desk, .centerManager).contains("授权申请"))
        #expect(!labels(.desk, .frontDesk).contains("授权申请"))
        // A technician has no customer list, mail log or custody.
        #expect(labels(.desk, .technician) == ["工作台", "我的工单", "同步"])
        // The administrator nothing about customers; no role, nothing at all.
        #expect(labels(.desk, .administrator) == ["工作台", "同步"])
        #expect(labels(.desk, nil) == ["工作台", "同步"])
    }

    @Test func theConsoleFollowsThePermissions() {
        #expect(labels(.console, .quality) == ["全部中心", "顾客", "报表", "授权", "冲突", "审计"])
        #expect(labels(.console, .executive) == ["全部中心", "顾客", "报表", "授权", "审计"])
        #expect(labels(.console, .administrator) == ["全部中心", "报表", "审计"])
    }

    @Test func theCurrentPageIsMarked() {
        let items = Navigation.items(site: .desk, role: .frontDesk, path: "/tickets/C001-261102-001")
        #expect(items.filter(\.current).map(\.label) == ["工单"])
        #expect(Navigation.items(site: .desk, role: .frontDesk, path: "/").filter(\.current).map(\.label) == ["工作台"])
    }

    @Test func afterLoginOnlyPathsOfThisSiteAreFollowed() {
        #expect(LoginPage.safeNext("/tickets?overdue=1") == "/tickets?overdue=1")
        for bad in [nil, "", "https://evil.example/", "//evil.example/", "/\\evil.example", "tickets", "/x\r\nSet-Cookie: a=b"] {
            #expect(LoginPage.safeNext(bad) == "/")
        }
    }

    @Test func formsPostedFromAnotherOriginAreRecognised() {
        #expect(FormGuard.sameOrigin("http://127.0.0.1:8080", authority: "127.0.0.1:8080"))
        #expect(FormGuard.sameOrigin("https://Desk.Example:8443", authority: "desk.example:8443"))
        #expect(!FormGuard.sameOrigin("http://evil.example", authority: "127.0.0.1:8080"))
        #expect(!FormGuard.sameOrigin("null", authority: "127.0.0.1:8080"))
        #expect(!FormGuard.sameOrigin("http://127.0.0.1:8080", authority: nil))
    }

    @Test func metricsTokensMustMatchExactly() {
        #expect(MetricsEndpoint.authorized("Bearer s3cret", token: "s3cret"))
        #expect(!MetricsEndpoint.authorized("Bearer s3cre", token: "s3cret"))
        #expect(!MetricsEndpoint.authorized("s3cret", token: "s3cret"))
        #expect(!MetricsEndpoint.authorized(nil, token: "s3cret"))
        #expect(!MetricsEndpoint.authorized("Bearer ", token: nil))
        #expect(!MetricsEndpoint.authorized("Bearer ", token: ""))
    }
}
