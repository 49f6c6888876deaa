import Foundation
import ServiceDesk

enum CSVOutput {
    static func print(_ headers: [String], _ rows: [[String]]) {
        Swift.print(CSVWriter.document([headers] + rows, lineEnding: "\n"), terminator: "")
    }
}
