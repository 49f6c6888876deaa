import Foundation
import Synchronization

/// The digits of record ids: Crockford's base 32 in lower case (no i, l, o, u).
private let base32Alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

/// Record ids made by the engine.
public enum RecordID {
    private static let sequence = OrderedIDSequence()

    /// A time-ordered id: 9 base-32 characters of the creation time in milliseconds (in
    /// sort order until the year 3084), then 5 of a random tail (25 bits).
    ///
    /// New ids sort after older ones, so each commit writes into the right edge of the
    /// primary-key B-tree, here and at every replica the records reach, instead of one
    /// random leaf page per record (a 1,000-record batch of random ids rewrote about as
    /// many pages). Within one process ids strictly increase, so a burst (an import) never
    /// collides with itself; ids of two replicas collide only if made in the same
    /// millisecond with the same random tail.
    public static func ordered() -> String { sequence.next(now: UInt64(Date().timeIntervalSince1970 * 1000)) }

    /// A time-ordered id that cannot collide with another replica's: `ordered()`, a `-`,
    /// then the replica id of the replica that creates the record (`0k5v2mcq3n1xz-c001-7k2m9q4x8p3r`).
    /// Replica ids are unique (the hub binds each to one key), so two replicas never make
    /// the same id; within a replica `ordered()` strictly increases in a process, and two
    /// processes of one replica collide only in the same millisecond with the same 25-bit
    /// tail, which the local insert refuses (the id is taken) rather than merging.
    /// The time comes first, so new rows still land at the right edge of the primary key.
    public static func ordered(replica: ReplicaID) -> String { ordered() + "-" + replica.rawValue }

    /// The longest record id, in UTF-8 bytes.
    public static let maxBytes = 128

    /// Why `id` is not a valid record id, if it is not (SPEC §9, SCHEMA-v<N>.md "Record
    /// ids"): 1–128 bytes of UTF-8 with no control character and no white space. Ids are
    /// otherwise opaque to replication; each table documents the ids its desk makes.
    public static func formatProblem(_ id: String) -> String? {
        guard !id.isEmpty else { return "empty record id" }
        guard id.utf8.count <= maxBytes else { return "record id of \(id.utf8.count) bytes (at most \(maxBytes))" }
        for u in id.unicodeScalars where u.value < 0x20 || u.value == 0x7f || u.properties.isWhitespace
            || (u.value >= 0x80 && u.value < 0xa0) {
            return "record id \"\(id.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : String($0) }.joined())\" contains white space or a control character (U+\(String(u.value, radix: 16, uppercase: true)))"
        }
        return nil
    }

    /// 16 random base-32 characters (80 bits).
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(16)
        var bits = rng.next()
        for i in 0..<16 {
            if i == 12 { bits = rng.next() }
            out.append(base32Alphabet[Int(bits & 31)])
            bits >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The state behind `RecordID.ordered()`: the last id's millisecond and tail.
final class OrderedIDSequence: Sendable {
    private static let tailMask: UInt64 = (1 << 25) - 1
    private let last = Mutex<(ms: UInt64, tail: UInt64)>((0, 0))

    /// The next id at wall-clock time `now` (milliseconds since the epoch).
    func next(now: UInt64) -> String {
        let (ms, tail) = last.withLock { l -> (UInt64, UInt64) in
            var rng = SystemRandomNumberGenerator()
            if now > l.ms {
                l = (now, rng.next() & Self.tailMask)
            } else if l.tail < Self.tailMask {
                // The same millisecond, or the clock stepped back: stay after the last id.
                l.tail += 1
            } else {
                l = (l.ms + 1, rng.next() & Self.tailMask)
            }
            return l
        }
        var out = [UInt8](repeating: 0, count: 14)
        var t = ms
        for i in stride(from: 8, through: 0, by: -1) { out[i] = base32Alphabet[Int(t & 31)]; t >>= 5 }
        var r = tail
        for i in stride(from: 13, through: 9, by: -1) { out[i] = base32Alphabet[Int(r & 31)]; r >>= 5 }
        return String(decoding: out, as: UTF8.self)
    }
}
