import Hummingbird

/// Makes each page's ``Frame`` from the request: who is signed in, where they are.
struct FrameFactory: Sendable {
    let site: Site
    let centerName: String
    let renderer: PageRenderer

    func make(_ context: WebContext, title: String, path: String = "", flash: Flash? = nil) -> Frame {
        let me = context.identity
        return Frame(title: title, siteName: site == .desk ? "服务中心工作台" : "总部控制台", centerName: centerName,
                     signedIn: me != nil, userName: me?.name ?? "", roleName: me?.roleName ?? "",
                     nav: me == nil ? [] : Navigation.items(site: site, role: me?.role, path: path),
                     csrf: context.csrfToken, css: renderer.assetURL("desk.css"), js: renderer.assetURL("desk.js"),
                     flash: flash, site: site.rawValue)
    }
}
