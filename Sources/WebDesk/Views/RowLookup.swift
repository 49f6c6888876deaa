import Mustache

// The rows of the long lists look their fields up by name here, not through `Mirror`:
// swift-mustache otherwise reflects a row and searches all its fields for each `{{name}}`
// of each row (13 % of the server's time in the 20-clerk benchmark). The names are the
// properties', so a template reads them exactly as before; an unknown name gives nil and
// the lookup goes on up the context, as with `Mirror`.

extension TicketRow: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "number": number
        case "href": href
        case "kind": kind
        case "stage": stage
        case "summary": summary
        case "unit": unit
        case "assignee": assignee
        case "opened": opened
        case "next": next
        case "overdue": overdue
        case "overdueText": overdueText
        default: nil
        }
    }
}

extension CustomerRow: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "href": href
        case "name": self.name
        case "phone": phone
        case "unit": unit
        case "flags": flags
        default: nil
        }
    }
}

// The same for what every page renders (the frame, its navigation, the options of a
// select) and for the two pages 20 clerks open most (工作台 and the request list):
// swift-mustache's `Mirror` lookup boxes every stored property of a model for each
// `{{name}}`. Only stored properties are listed, as `Mirror` would see them; an optional
// that is nil gives nil, as `Mirror` gives it.

extension Frame: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "siteName": siteName
        case "centerName": centerName
        case "signedIn": signedIn
        case "userName": userName
        case "roleName": roleName
        case "nav": nav
        case "csrf": csrf
        case "css": css
        case "js": js
        case "flash": flash
        case "site": site
        default: nil
        }
    }
}

extension NavItem: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "href": href
        case "current": current
        default: nil
        }
    }
}

extension Flash: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "text": text
        case "kind": kind
        default: nil
        }
    }
}

extension SelectOption: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "label": label
        case "selected": selected
        default: nil
        }
    }
}

extension TicketTable: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "rows": rows
        case "rowsHTML": rowsHTML
        case "count": count
        default: nil
        }
    }
}

extension Tile: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "count": count
        case "href": href
        case "alert": alert
        default: nil
        }
    }
}

extension SyncLine: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "state": state
        case "stateText": stateText
        case "pending": pending
        case "lastPush": lastPush
        case "lastPull": lastPull
        case "health": health
        default: nil
        }
    }
}

extension Pager: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "page": page
        case "previous": previous
        case "next": next
        case "shown": shown
        default: nil
        }
    }
}

extension DashboardPage: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "frame": frame
        case "today": today
        case "tiles": tiles
        case "overdue": overdue
        case "dueToday": dueToday
        case "callbacksDue": callbacksDue
        case "sync": sync
        case "canOpen": canOpen
        default: nil
        }
    }
}

extension TicketListPage: MustacheParent {
    public func child(named name: String) -> Any? {
        switch name {
        case "frame": frame
        case "table": table
        case "pager": pager
        case "stages": stages
        case "kinds": kinds
        case "assignee": assignee
        case "overdue": overdue
        case "dueToday": dueToday
        case "canOpen": canOpen
        case "heading": heading
        default: nil
        }
    }
}
