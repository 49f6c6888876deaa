#if canImport(Glibc)
import Glibc
#endif

/// The character encoding of a CSV file to import. Excel on a Chinese Windows saves "CSV"
/// as GBK (code page 936); "CSV UTF-8" as UTF-8 with a byte-order mark.
public enum CSVEncoding: String, CaseIterable, Sendable {
    /// UTF-8 when the bytes are valid UTF-8 (a BOM makes it certain), else GB18030.
    case auto
    case utf8 = "utf-8"
    /// GBK is read as GB18030, its superset (every GBK file is a GB18030 file).
    case gbk
    case gb18030
}

extension CSVReader {
    /// Parses a file's bytes in `encoding`. With `.auto`, bytes that are valid UTF-8 are
    /// UTF-8 (Chinese text in GBK is almost never valid UTF-8: its lead bytes 0x81–0xFE are
    /// followed by bytes UTF-8 does not allow there), anything else is tried as GB18030.
    ///
    /// ```swift
    /// let records = try CSVReader.parse(bytes: Array(data), encoding: .auto)
    /// ```
    public static func parse(bytes: [UInt8], encoding: CSVEncoding) throws(RuleError) -> [CSVRecord] {
        switch encoding {
        case .utf8:
            return try parse(utf8: bytes)
        case .gbk, .gb18030:
            guard let text = decodeGB18030(bytes) else {
                throw RuleError(.csvSyntax, "the file is not valid GBK/GB18030; check --encoding (utf-8, gbk) or save it as \"CSV UTF-8\"")
            }
            return try parse(text)
        case .auto:
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) || String(validating: bytes, as: UTF8.self) != nil {
                return try parse(utf8: bytes)
            }
            guard let text = decodeGB18030(bytes) else {
                throw RuleError(.csvSyntax, "the file is neither UTF-8 nor GBK/GB18030; save it as \"CSV UTF-8\" (or say --encoding)")
            }
            return try parse(text)
        }
    }

    /// GB18030 bytes as text, through the C library's iconv; nil when they are not GB18030.
    /// (Foundation on Linux has no GB18030 decoder; glibc's iconv does.)
    static func decodeGB18030(_ bytes: [UInt8]) -> String? {
        if bytes.isEmpty { return "" }
        let cd = iconv_open("UTF-8", "GB18030")
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        // Each GB18030 character is 1, 2 or 4 bytes and becomes at most 4 bytes of UTF-8.
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 4)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                guard iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1, inLeft == 0 else { return nil }
                return outBuf.count - outLeft
            }
        }
        guard let produced else { return nil }
        return String(validating: output[..<produced], as: UTF8.self)
    }
}
