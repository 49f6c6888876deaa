// A minimal protobuf wire-format reader for the hand-written decoders of this folder
// (ChangeSetReader.swift). It reads primitives out of a borrowed byte buffer and checks
// every bound; it is stricter than SwiftProtobuf where that costs nothing (a 10th varint
// byte above 1 is refused), so whatever it accepts SwiftProtobuf accepts too.

/// Why the wire reader stopped: the bytes are not protobuf it reads. The callers then
/// fall back to SwiftProtobuf, which gives the authoritative answer.
struct WireFailure: Error, Equatable {}

/// A protobuf wire type.
enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A cursor over `bytes[index..<end]`. The buffer must outlive the reader.
struct WireReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var index: Int
    let end: Int

    /// A reader over the whole buffer.
    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.index = 0
        self.end = bytes.count
    }

    /// A reader over `range` of `bytes`, which must lie within the buffer (clamped if not).
    init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        self.bytes = bytes
        let lo = min(max(range.lowerBound, 0), bytes.count)
        self.index = lo
        self.end = min(max(range.upperBound, lo), bytes.count)
    }

    var isAtEnd: Bool { index >= end }
    var remaining: Int { end - index }

    /// A base-128 varint of at most 10 bytes. Truncated or overlong varints (an 11th byte,
    /// or a 10th byte carrying bits beyond the 64th) fail.
    @inline(__always)
    mutating func readVarint() throws(WireFailure) -> UInt64 {
        guard index < end else { throw WireFailure() }
        let first = bytes[index]
        if first < 0x80 {
            index += 1
            return UInt64(first)
        }
        return try readVarintSlow()
    }

    @inline(never)
    private mutating func readVarintSlow() throws(WireFailure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = index
        while true {
            guard i < end else { throw WireFailure() }
            let b = bytes[i]
            i += 1
            if shift == 63 {
                // The 10th byte holds only the 64th bit.
                guard b <= 1 else { throw WireFailure() }
                value |= UInt64(b) << 63
                index = i
                return value
            }
            value |= UInt64(b & 0x7f) << shift
            if b < 0x80 {
                index = i
                return value
            }
            shift += 7
        }
    }

    /// A field tag: its number (1...2^29-1) and wire type. Field number 0, an unknown
    /// wire type or a tag above 32 bits fail.
    @inline(__always)
    mutating func readTag() throws(WireFailure) -> (field: Int, wireType: WireType) {
        let t = try readVarint()
        guard t <= UInt64(UInt32.max), t >> 3 != 0, let wt = WireType(rawValue: UInt8(t & 7)) else {
            throw WireFailure()
        }
        return (Int(t >> 3), wt)
    }

    /// The range of a length-delimited field's body (after its tag), bounds-checked.
    @inline(__always)
    mutating func readLengthDelimited() throws(WireFailure) -> Range<Int> {
        let n = try readVarint()
        guard n < 0x7fff_ffff, n <= UInt64(end - index) else { throw WireFailure() }
        let lo = index
        index += Int(n)
        return lo..<index
    }

    /// A little-endian fixed64.
    @inline(__always)
    mutating func readFixed64() throws(WireFailure) -> UInt64 { try readLittleEndian() }

    /// A little-endian fixed32.
    @inline(__always)
    mutating func readFixed32() throws(WireFailure) -> UInt32 { try readLittleEndian() }

    @inline(__always)
    private mutating func readLittleEndian<T: FixedWidthInteger & UnsignedInteger>() throws(WireFailure) -> T {
        let width = MemoryLayout<T>.size
        guard end - index >= width else { throw WireFailure() }
        var v: T = 0
        for k in 0..<width { v |= T(bytes[index + k]) << (8 * k) }
        index += width
        return v
    }

    /// A `double`: fixed64 bits.
    @inline(__always)
    mutating func readDouble() throws(WireFailure) -> Double { Double(bitPattern: try readFixed64()) }

    /// A `sint64`: a zigzag varint.
    @inline(__always)
    mutating func readSInt64() throws(WireFailure) -> Int64 {
        let v = try readVarint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    /// Skips the body of a field whose tag was just read. Groups are not skipped (this
    /// protocol has none): they fail.
    mutating func skip(_ wireType: WireType) throws(WireFailure) {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup, .endGroup: throw WireFailure()
        }
    }

    /// True when `range` holds valid UTF-8 (what SwiftProtobuf accepts in a `string`):
    /// no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence.
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        let end = range.upperBound
        guard i >= 0, end <= bytes.count else { return false }
        // ASCII fast path, 8 bytes at a time.
        while end - i >= 8 {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if w & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < end {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            func cont(_ k: Int) -> UInt8? { i + k < end && bytes[i + k] & 0xC0 == 0x80 ? bytes[i + k] : nil }
            if b0 >= 0xC2 && b0 <= 0xDF {
                guard cont(1) != nil else { return false }
                i += 2
            } else if b0 >= 0xE0 && b0 <= 0xEF {
                guard let b1 = cont(1), cont(2) != nil else { return false }
                if b0 == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b0 == 0xED && b1 > 0x9F { return false }  // surrogates
                i += 3
            } else if b0 >= 0xF0 && b0 <= 0xF4 {
                guard let b1 = cont(1), cont(2) != nil, cont(3) != nil else { return false }
                if b0 == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xF4 && b1 > 0x8F { return false }  // above U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }

    /// The string in `range`, which the caller has checked with ``isValidUTF8(_:_:)``.
    static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// True when `bytes[range]` equals `other`.
    static func equal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ other: [UInt8]) -> Bool {
        guard range.count == other.count else { return false }
        var k = range.lowerBound
        for b in other {
            if bytes[k] != b { return false }
            k += 1
        }
        return true
    }
}
