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
