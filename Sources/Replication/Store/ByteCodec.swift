/// Compact binary encoding of the engine's metadata columns (`_vv`, `_clk`): unsigned
/// LEB128 varints, replica ids replaced by this database's small replica indices.
struct ByteWriter {
    var bytes: [UInt8] = []
    init(capacity: Int = 32) { bytes.reserveCapacity(capacity) }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
    mutating func varint(_ v: Int) { varint(UInt64(v)) }
    mutating func string(_ s: String) {
        // Straight from the string's UTF-8 view: no intermediate array per string.
        varint(s.utf8.count)
        bytes.append(contentsOf: s.utf8)
    }
    mutating func value(_ v: Value) {
        switch v {
        case .null: bytes.append(0)
        case .integer(let i):
            bytes.append(1)
            varint(UInt64(bitPattern: (i << 1) ^ (i >> 63)))
        case .real(let d):
            bytes.append(2)
            varint(d.bitPattern)
        case .text(let s):
            bytes.append(3)
            string(s)
        case .blob(let b):
            bytes.append(4)
            varint(b.count)
            bytes.append(contentsOf: b)
        }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var pos = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { pos >= bytes.count }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < bytes.count, shift < 64 else { throw ReplicationError.corrupt("truncated varint") }
            let b = bytes[pos]
            pos += 1
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }
    mutating func int() throws -> Int {
        let v = try varint()
        guard v <= UInt64(Int.max) else { throw ReplicationError.corrupt("length out of range") }
        return Int(v)
    }
    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, pos + n <= bytes.count else { throw ReplicationError.corrupt("truncated field") }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }
    mutating func string() throws -> String {
        let n = try int()
        return String(decoding: try take(n), as: UTF8.self)
    }
    mutating func value() throws -> Value {
        let tag = try take(1).first!
        switch tag {
        case 0: return .null
        case 1:
            let z = try varint()
            return .integer(Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1))))
        case 2: return .real(Double(bitPattern: try varint()))
        case 3: return .text(try string())
        case 4: return .blob(Array(try take(try int())))
        default: throw ReplicationError.corrupt("unknown value tag \(tag)")
        }
    }
}
