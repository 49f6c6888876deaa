import Testing
@testable import WebDesk

/// The request list's pages: links keep the list's filters and only change the page.
@Suite struct PagerTests {
    @Test func linksKeepTheFiltersAndChangeThePage() {
        let p = Pager(path: "/tickets", query: ["overdue": "1", "kind": "repair", "page": "3"], page: 3, hasNext: true)
        #expect(p.previous == "/tickets?kind=repair&overdue=1&page=2")
        #expect(p.next == "/tickets?kind=repair&overdue=1&page=4")
        #expect(p.shown)
    }

    @Test func theFirstPageLinksWithoutAPageNumberAndASinglePageShowsNoLinks() {
        let second = Pager(path: "/tickets", query: ["page": "2", "assignee": "王 芳"], page: 2, hasNext: false)
        #expect(second.previous == "/tickets?assignee=%E7%8E%8B%20%E8%8A%B3" && second.next == nil)
        let only = Pager(path: "/tickets", query: [:], page: 1, hasNext: false)
        #expect(only.previous == nil && only.next == nil && !only.shown)
    }
}
