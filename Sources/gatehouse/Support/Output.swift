import ArgumentParser
import Foundation
import Replication
import ServiceDesk

enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, enc in
            var c = enc.singleValueContainer()
            try c.encode(ISO8601.china(date))
        }
        print(String(decoding: try e.encode(value), as: UTF8.self))
    }

    static func table(_ headers: [String], _ rows: [[String]], empty: String = "(none)") {
        guard !rows.isEmpty else {
            print(empty)
            return
        }
        var t = TextTable(headers: headers, maxColumnWidth: 40)
        for r in rows { t.append(r) }
        let text = t.render()  // once: `hub status` renders thousands of rows
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }

    /// Key–value lines aligned for CJK.
    static func fields(_ pairs: [(String, String?)]) {
        let w = pairs.map { DisplayWidth.of($0.0) }.max() ?? 0
        for (k, v) in pairs { if let v, !v.isEmpty { print(DisplayWidth.pad(k, to: w) + "  " + v) } }
    }

    static func time(_ d: Date?) -> String { d.map(TimeFormat.short) ?? "" }
    static func yuan(_ fen: Int?) -> String { fen.map { String(format: "%.2f", Double($0) / 100) } ?? "" }
}

enum ISO8601 {
    nonisolated(unsafe) static let formatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        f.formatOptions = [.withInternetDateTime]
        return f
    }()
    static func china(_ d: Date) -> String { formatter.string(from: d) }
}

/// Runs a command body, turning the library's refusals into one clear line on stderr and
/// exit status 1.
func perform(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch {
        FileHandle.standardError.write(Data("error: \(String(describing: error))\n".utf8))
        throw ExitCode(1)
    }
}
