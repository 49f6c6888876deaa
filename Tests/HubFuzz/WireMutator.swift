import ServiceDesk
import SyncProtocol

/// Mutations of GHSP messages at three levels, for the hub fuzzer: the frames (count,
/// signature, size), the body's bytes, and the protobuf fields of the body (any depth:
/// integers set to the values that trap conversions, strings to other centers' and
/// replicas' names or to invalid UTF-8, fields dropped, repeated, retyped or added).
///
/// The field level parses the body generically (no generated types), so it reaches every
/// field of every message, records and clocks included, without a list to keep up to date.
struct WireMutator {
    var rng: SplitMix64
    /// Strings worth putting anywhere: names the hub knows (other centers, head office,
    /// other replicas, table names) besides the usual suspects.
    var words: [[UInt8]]

    init(seed: UInt64, words: [String]) {
        rng = SplitMix64(seed: seed)
        let invalidUTF8: [[UInt8]] = [[0xFF, 0xFE], [0xC3], [0xED, 0xA0, 0x80]]
        self.words = (words + ["", "HQ", "C001", "C002", "admin-HQ", "customer", "staff", "audit", "data_grant",
                               "calendar_day", "ticket", "张三", "\u{0}", String(repeating: "A", count: 300)]).map { Array($0.utf8) }
            + invalidUTF8
    }

    /// Integers at the edges of every conversion a receiver makes.
    static let interesting: [UInt64] = [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        UInt64(Int64.max) - 1, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max - 1, UInt64.max,
    ]

    mutating func int(_ n: Int) -> Int { Int(rng.next(below: UInt64(max(1, n)))) }
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: rng.next()) }

    /// One mutation of a valid message's frames.
    mutating func mutate(_ frames: [[UInt8]]) -> [[UInt8]] {
        let r = int(100)
        if r < 8 { return mutateFrames(frames) }
        var out = frames
        let body = frames.count > 1 ? frames[1] : []
        out[out.count - 1] = r < 45 ? mutateBytes(body) : mutateFields(body)
        // Sometimes a second round on top of the first.
        if chance(15) { out[out.count - 1] = chance(50) ? mutateBytes(out[out.count - 1]) : mutateFields(out[out.count - 1]) }
        return out
    }

    // MARK: - Frames

    mutating func mutateFrames(_ frames: [[UInt8]]) -> [[UInt8]] {
        let sig = GHSP.signatureFrame
        let body = frames.count > 1 ? frames[1] : []
        switch int(10) {
        case 0: return []
        case 1: return [sig]
        case 2: return [body]
        case 3: return [sig, body, body]
        case 4: return [body, sig]
        case 5: return [Array(sig.prefix(4)) + [UInt8(2 + int(250))], body]
        case 6: return [sig.map { chance(30) ? byte() : $0 }, body]
        case 7: return [sig, []]
        case 8: return [sig + [0], body]
        default:
            // A body above the announced limit (rarely: it costs its size in memory).
            if chance(5) { return [sig, [UInt8](repeating: 0x0A, count: SyncLimits.default.maxMessageBytes + 1 + int(64))] }
            return [sig, body + [UInt8](repeating: byte(), count: 1 + int(4000))]
        }
    }

    // MARK: - Bytes

    mutating func mutateBytes(_ body: [UInt8]) -> [UInt8] {
        var b = body
        let rounds = 1 + (chance(30) ? int(6) : 0)
        for _ in 0..<rounds {
            if b.isEmpty {
                b = (0..<(1 + int(16))).map { _ in byte() }
                continue
            }
            let i = int(b.count)
            switch int(9) {
            case 0: b[i] ^= 1 << UInt8(int(8))
            case 1: b[i] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE][int(6)]
            case 2: b[i] = byte()
            case 3: b.insert(contentsOf: (0..<(1 + int(8))).map { _ in byte() }, at: i)
            case 4: b.removeSubrange(i..<min(b.count, i + 1 + int(16)))
            case 5: b = Array(b.prefix(i))
            case 6:
                let j = min(b.count, i + 1 + int(32))
                b.insert(contentsOf: b[i..<j], at: int(b.count))
            case 7: b += (0..<(1 + int(8))).map { _ in byte() }
            default:
                // A varint continuation run: a length or integer that never ends.
                b.insert(contentsOf: [UInt8](repeating: 0xFF, count: 1 + int(12)), at: i)
            }
        }
        return b
    }

    // MARK: - Protobuf fields

    indirect enum PBValue {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes([UInt8])
        case message([PBField])
    }

    struct PBField {
        var number: UInt64
        var value: PBValue
    }

    mutating func mutateFields(_ body: [UInt8]) -> [UInt8] {
        guard var fields = Self.parse(body[...], depth: 0), !fields.isEmpty else { return mutateBytes(body) }
        var target = int(Self.count(fields))
        _ = mutate(&fields, target: &target)
        return Self.serialize(fields)
    }

    static func count(_ fields: [PBField]) -> Int {
        fields.reduce(0) { n, f in
            if case .message(let sub) = f.value { return n + 1 + count(sub) }
            return n + 1
        }
    }

    /// Mutates the `target`-th field in preorder.
    mutating func mutate(_ fields: inout [PBField], target: inout Int) -> Bool {
        for i in fields.indices {
            if target == 0 {
                mutateField(&fields, i)
                return true
            }
            target -= 1
            if case .message(var sub) = fields[i].value {
                if mutate(&sub, target: &target) {
                    fields[i].value = .message(sub)
                    return true
                }
            }
        }
        return false
    }

    mutating func mutateField(_ fields: inout [PBField], _ i: Int) {
        // Structural changes, whatever the field's kind.
        if chance(15) {
            switch int(5) {
            case 0: fields.remove(at: i)
            case 1: fields.insert(fields[i], at: i)
            case 2: fields[i].number = [0, 1, 2, 3, 4, 5, 6, 7, 19000, 536_870_911, UInt64(1 + int(20))][int(11)]
            case 3: fields.insert(PBField(number: UInt64(1 + int(16)), value: randomValue()), at: int(fields.count + 1))
            default: fields[i].value = retyped(fields[i].value)
            }
            return
        }
        switch fields[i].value {
        case .varint(let v):
            switch int(10) {
            case 0..<6: fields[i].value = .varint(Self.interesting[int(Self.interesting.count)])
            case 6, 7: fields[i].value = .varint(chance(50) ? v &+ UInt64(1 + int(3)) : v &- UInt64(1 + int(3)))
            default: fields[i].value = .varint(rng.next() >> UInt64(int(64)))
            }
        case .fixed64: fields[i].value = .fixed64(rng.next())
        case .fixed32: fields[i].value = .fixed32(UInt32(truncatingIfNeeded: rng.next()))
        case .bytes(let b):
            fields[i].value = .bytes(chance(50) ? words[int(words.count)] : mutateBytes(b))
        case .message(var sub):
            switch int(5) {
            case 0: fields[i].value = .bytes(Self.serialize(sub).map { chance(5) ? byte() : $0 })
            case 1 where !sub.isEmpty: sub.remove(at: int(sub.count)); fields[i].value = .message(sub)
            case 2 where !sub.isEmpty: sub.append(sub[int(sub.count)]); fields[i].value = .message(sub)
            case 3: sub.shuffle(using: &rng); fields[i].value = .message(sub)
            default: fields[i].value = .message([])
            }
        }
    }

    mutating func randomValue() -> PBValue {
        switch int(4) {
        case 0: return .varint(Self.interesting[int(Self.interesting.count)])
        case 1: return .fixed64(rng.next())
        case 2: return .fixed32(UInt32(truncatingIfNeeded: rng.next()))
        default: return .bytes(words[int(words.count)])
        }
    }

    mutating func retyped(_ v: PBValue) -> PBValue {
        switch v {
        case .varint(let x): return chance(50) ? .bytes(Self.varint(x)) : .fixed64(x)
        case .bytes(let b): return b.count <= 8 ? .varint(b.reduce(0) { $0 << 8 | UInt64($1) }) : .fixed32(UInt32(b.count))
        case .message(let m): return .varint(UInt64(m.count))
        case .fixed64(let x): return .varint(x)
        case .fixed32(let x): return .bytes(withUnsafeBytes(of: x) { Array($0) })
        }
    }

    // MARK: - Wire format

    /// The fields of `b` read as a protobuf message, length-delimited values read as
    /// messages where they parse as one; nil when `b` is not a message.
    static func parse(_ b: ArraySlice<UInt8>, depth: Int) -> [PBField]? {
        var fields: [PBField] = []
        var i = b.startIndex
        func varint() -> UInt64? {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while i < b.endIndex, shift < 64 {
                let x = b[i]
                i += 1
                v |= UInt64(x & 0x7F) << shift
                if x & 0x80 == 0 { return v }
                shift += 7
            }
            return nil
        }
        while i < b.endIndex {
            guard let key = varint(), key >> 3 != 0 else { return nil }
            let number = key >> 3
            switch key & 7 {
            case 0:
                guard let v = varint() else { return nil }
                fields.append(PBField(number: number, value: .varint(v)))
            case 1:
                guard b.endIndex - i >= 8 else { return nil }
                let v = b[i..<i + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                i += 8
                fields.append(PBField(number: number, value: .fixed64(v)))
            case 5:
                guard b.endIndex - i >= 4 else { return nil }
                let v = b[i..<i + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                i += 4
                fields.append(PBField(number: number, value: .fixed32(v)))
            case 2:
                guard let n = varint(), n <= UInt64(b.endIndex - i) else { return nil }
                let payload = b[i..<i + Int(n)]
                i += Int(n)
                if depth < 12, !payload.isEmpty, let sub = parse(payload, depth: depth + 1) {
                    fields.append(PBField(number: number, value: .message(sub)))
                } else {
                    fields.append(PBField(number: number, value: .bytes(Array(payload))))
                }
            default:
                return nil
            }
        }
        return fields
    }

    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func serialize(_ fields: [PBField]) -> [UInt8] {
        var out: [UInt8] = []
        for f in fields {
            switch f.value {
            case .varint(let v):
                out += varint(f.number << 3 | 0) + varint(v)
            case .fixed64(let v):
                out += varint(f.number << 3 | 1) + withUnsafeBytes(of: v.littleEndian) { Array($0) }
            case .fixed32(let v):
                out += varint(f.number << 3 | 5) + withUnsafeBytes(of: v.littleEndian) { Array($0) }
            case .bytes(let b):
                out += varint(f.number << 3 | 2) + varint(UInt64(b.count)) + b
            case .message(let m):
                let b = serialize(m)
                out += varint(f.number << 3 | 2) + varint(UInt64(b.count)) + b
            }
        }
        return out
    }
}
