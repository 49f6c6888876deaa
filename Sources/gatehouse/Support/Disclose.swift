import Foundation
import ServiceDesk

enum CSVOutput {
    static func print(_ headers: [String], _ rows: [[String]]) {
        // For Excel: BOM, CRLF, phones and ids as text, formulas neutralized.
        Swift.print(CSVWriter.excelDocument([headers] + rows), terminator: "")
    }
}
