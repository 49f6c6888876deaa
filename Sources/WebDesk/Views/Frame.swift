import ServiceDesk

/// Which site a daemon serves: the center's desk or head office's console.
public enum Site: String, Sendable {
    /// `node run`: 前台工作台 of one service center.
    case desk
    /// `hub run`: 总部控制台.
    case console
}

/// One entry of the top navigation.
public struct NavItem: Sendable, Equatable {
    public var label: String
    public var href: String
    public var current: Bool = false
}

/// What every page shows around its content: the site, the navigation the signed-in
/// role has, who is signed in, the logout form's token, the asset URLs.
public struct Frame: Sendable {
    public var title: String
    public var siteName: String
    public var centerName: String
    public var signedIn: Bool
    public var userName: String
    public var roleName: String
    public var nav: [NavItem]
    public var csrf: String
    public var css: String
    public var js: String
    public var flash: Flash?
    /// `console` or `desk`, for the stylesheet.
    public var site: String
}

/// A one-line message after an action (成功 / 提醒).
public struct Flash: Sendable, Equatable {
    public var text: String
    /// `ok` or `warn`.
    public var kind: String
}

/// The navigation, decided from the site and the role alone (pure). Entries a role could
/// only open to be refused are left out: a technician has no customer list, the
/// administrator nothing about customers. The desk still decides every request; this only
/// keeps the screen honest.
public enum Navigation {
    public static func items(site: Site, role: StaffRole?, path: String) -> [NavItem] {
        var items: [NavItem]
        switch site {
        case .desk:
            items = [NavItem(label: "工作台", href: "/")]
            switch role {
            case .technician?, .supplier?:
                items.append(NavItem(label: "我的工单", href: "/tickets"))
            case .administrator?, nil:
                break
            case .cashier?:
                items += [NavItem(label: "工单", href: "/tickets"), NavItem(label: "价目表", href: "/prices")]
            default:
                items += [NavItem(label: "顾客", href: "/customers"), NavItem(label: "工单", href: "/tickets"),
                          NavItem(label: "回访", href: "/callbacks"), NavItem(label: "邮件", href: "/parcels"),
                          NavItem(label: "寄存", href: "/custody"), NavItem(label: "价目表", href: "/prices"),
                          NavItem(label: "冲突", href: "/conflicts")]
                if role == .centerManager { items.append(NavItem(label: "授权申请", href: "/grants")) }
            }
            items.append(NavItem(label: "同步", href: "/sync"))
        case .console:
            items = [NavItem(label: "全部中心", href: "/")]
            // Customers masked unless a grant covers them: head office's supervisors only.
            if let role, [.quality, .operations, .executive].contains(role) { items.append(NavItem(label: "顾客", href: "/customers")) }
            items.append(NavItem(label: "报表", href: "/reports"))
            if let role, [.quality, .executive, .centerManager].contains(role) { items.append(NavItem(label: "授权", href: "/grants")) }
            if let role, Permissions.allows(role, .conflictResolve) { items.append(NavItem(label: "冲突", href: "/conflicts")) }
            if let role, Permissions.allows(role, .auditRead) { items.append(NavItem(label: "审计", href: "/audit")) }
        }
        for i in items.indices {
            let href = items[i].href
            items[i].current = href == "/" ? path == "/" : (path == href || path.hasPrefix(href + "/"))
        }
        return items
    }
}
