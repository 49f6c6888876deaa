/// Timers ordered by deadline: a binary min-heap of (deadline, key). The hub keeps one
/// entry per session (when it may have fallen silent) and one per connected node (when its
/// "last seen" is due), so a sweep looks at what is due, not at every session.
///
/// Entries are never removed early: the owner checks a popped entry against its current
/// state and drops or reschedules it, so a session's timer costs one push per deadline,
/// not one per message.
struct DeadlineHeap<Instant: Comparable, Key> {
    private var items: [(at: Instant, key: Key)] = []

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    /// The earliest deadline.
    var next: Instant? { items.first?.at }

    mutating func push(_ at: Instant, _ key: Key) {
        items.append((at, key))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].at < items[parent].at else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(_ now: Instant) -> Key? {
        guard let first = items.first, first.at <= now else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l].at < items[m].at { m = l }
                if r < items.count && items[r].at < items[m].at { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return first.key
    }
}
