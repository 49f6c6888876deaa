/// A posted `multipart/form-data` body (RFC 7578): what a browser sends for a form with a
/// file, here the CSV of 导入. Pure: bytes in, parts out.
///
/// Only what browsers send is understood: parts separated by `--boundary` lines, each with a
/// `Content-Disposition: form-data; name="…"` header (and `filename="…"` for a file), then
/// the part's bytes as they are. Anything else is not a form (nil).
struct MultipartForm: Sendable {
    struct Part: Sendable {
        var name: String
        var filename: String?
        var bytes: [UInt8]
    }

    var parts: [Part]

    /// The first part named `name` as text (UTF-8, trimmed; nil when absent or blank), as
    /// ``FormFields`` reads a field.
    subscript(_ name: String) -> String? {
        guard let p = parts.first(where: { $0.name == name }) else { return nil }
        let s = String(decoding: p.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    /// A checkbox: present with any value but `0`.
    func flag(_ name: String) -> Bool {
        guard let v = self[name] else { return false }
        return v != "0"
    }

    /// The file sent in the part `name`, if one was chosen.
    func file(_ name: String) -> Part? { parts.first { $0.name == name && $0.filename != nil } }

    /// The boundary of a `Content-Type: multipart/form-data; boundary=…` header; nil for
    /// any other type.
    static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for p in pieces.dropFirst() where p.lowercased().hasPrefix("boundary=") {
            var b = String(p.dropFirst("boundary=".count))
            if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
            return b.isEmpty || b.count > 70 ? nil : b
        }
        return nil
    }

    /// Parses `body` sent with `boundary`; nil when it is not a well-formed form.
    init?(_ body: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var at = Self.find(delimiter, in: body, from: 0) else { return nil }
        var parts: [Part] = []
        while true {
            at += delimiter.count
            // `--` after the delimiter ends the form.
            if body.count >= at + 2, body[at] == 45, body[at + 1] == 45 { break }
            guard body.count >= at + 2, body[at] == 13, body[at + 1] == 10 else { return nil }
            at += 2
            guard let headersEnd = Self.find(crlf + crlf, in: body, from: at) else { return nil }
            let headers = String(decoding: body[at..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let next = Self.find(crlf + delimiter, in: body, from: contentStart) else { return nil }
            guard let disposition = headers.split(separator: "\r\n").first(where: {
                $0.lowercased().hasPrefix("content-disposition:")
            }) else { return nil }
            guard let name = Self.parameter("name", in: disposition) else { return nil }
            parts.append(Part(name: name, filename: Self.parameter("filename", in: disposition), bytes: Array(body[contentStart..<next])))
            at = next + 2
        }
        self.parts = parts
    }

    /// `name="value"` in a header line (a quoted value may hold `;`).
    static func parameter(_ key: String, in header: Substring) -> String? {
        var rest = header[...]
        while let r = rest.range(of: key + "=\"") {
            // The key itself, not the tail of a longer one (`filename=` holds `name=`).
            let before = rest[..<r.lowerBound].last
            let value = rest[r.upperBound...]
            guard let close = value.firstIndex(of: "\"") else { return nil }
            if before == nil || before == " " || before == ";" { return String(value[..<close]) }
            rest = value[value.index(after: close)...]
        }
        return nil
    }

    /// The first position of `needle` in `haystack` from `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
