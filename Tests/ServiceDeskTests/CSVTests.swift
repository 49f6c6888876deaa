import ServiceDesk
import Testing

@Suite struct CSVReaderTests {
    func parse(_ text: String) throws -> [CSVRecord] { try CSVReader.parse(text) }

    @Test func simpleRecordsWithLineNumbers() throws {
        let records = try parse("姓名,电话,房号\n张三,13812345678,3栋2单元1101\n李四,13900001111,5栋101\n")
        #expect(records.map(\.line) == [1, 2, 3])
        #expect(records[1].fields == ["张三", "13812345678", "3栋2单元1101"])
        #expect(records.count == 3)
    }

    @Test func quotedFieldsWithCommasQuotesAndNewlinesKeepLaterLineNumbersRight() throws {
        let text = "id,note\r\n1,\"漏水, 很急\"\r\n2,\"他说\"\"明天来\"\"\"\r\n3,\"第一行\r\n第二行\r\n第三行\"\r\n4,end\r\n"
        let records = try parse(text)
        #expect(records.map(\.line) == [1, 2, 3, 4, 7])
        #expect(records[1].fields == ["1", "漏水, 很急"])
        #expect(records[2].fields == ["2", "他说\"明天来\""])
        #expect(records[3].fields == ["3", "第一行\n第二行\n第三行"])
        #expect(records[4].fields == ["4", "end"])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let records = try parse("\u{FEFF}姓名,电话\r\n张三,1\r\n")
        #expect(records[0].fields == ["姓名", "电话"])
    }

    @Test func emptyFieldsAndEmptyLines() throws {
        let records = try parse("a,,c\n\n,\n\"\"\n\nlast")
        #expect(records == [
            CSVRecord(line: 1, fields: ["a", "", "c"]),
            CSVRecord(line: 3, fields: ["", ""]),
            CSVRecord(line: 4, fields: [""]),
            CSVRecord(line: 6, fields: ["last"]),
        ])
    }

    @Test func loneCarriageReturnsAndMixedLineEndings() throws {
        let records = try parse("a\rb\r\nc\nd")
        #expect(records.map(\.fields) == [["a"], ["b"], ["c"], ["d"]])
        #expect(records.map(\.line) == [1, 2, 3, 4])
    }

    @Test func noTrailingNewlineAndEmptyInput() throws {
        #expect(try parse("a,b") == [CSVRecord(line: 1, fields: ["a", "b"])])
        #expect(try parse("a,") == [CSVRecord(line: 1, fields: ["a", ""])])
        #expect(try parse("").isEmpty)
        #expect(try parse("\u{FEFF}").isEmpty)
        #expect(try parse("\n\n").isEmpty)
    }

    @Test func unterminatedQuoteNamesTheLineWhereItOpened() {
        #expect {
            try parse("a,b\nc,d\ne,\"never closed\nf,g\n")
        } throws: { error in
            guard let error = error as? RuleError else { return false }
            return error.line == 3 && error.code == .csvSyntax
                && error.message == "line 3: a quoted field is never closed; check for a missing double quote."
        }
    }

    @Test func strayQuotesAreErrorsWithLineNumbers() {
        #expect {
            try parse("a,b\n\"x\"y,z\n")
        } throws: { error in
            (error as? RuleError)?.line == 2
                && (error as? RuleError)?.message.hasPrefix("line 2: unexpected 'y' after the closing quote") == true
        }
        #expect {
            try parse("a,b\nc,d\n\"1\n2\",ok\nab\"c,d\n")
        } throws: { error in
            (error as? RuleError)?.line == 5
                && (error as? RuleError)?.message.hasPrefix("line 5: a double quote inside an unquoted field") == true
        }
    }

    @Test func invalidUTF8IsRefusedWithItsLine() throws {
        let good = Array("\u{FEFF}姓名\n张三\n".utf8)
        #expect(try CSVReader.parse(utf8: good).map(\.fields) == [["姓名"], ["张三"]])
        // "李" in GBK is 0xC0 0xEE, which is not UTF-8.
        let gbk = Array("姓名\n张三\n".utf8) + [0xC0, 0xEE, 0x0A]
        #expect {
            try CSVReader.parse(utf8: gbk)
        } throws: { error in
            (error as? RuleError)?.line == 3 && (error as? RuleError)?.message.contains("not valid UTF-8") == true
        }
    }
}

@Suite struct CSVWriterTests {
    @Test func quotesOnlyWhenNeeded() {
        #expect(CSVWriter.field("张三") == "张三")
        #expect(CSVWriter.field("3栋, 2单元") == "\"3栋, 2单元\"")
        #expect(CSVWriter.field("说\"好\"") == "\"说\"\"好\"\"\"")
        #expect(CSVWriter.field("a\nb") == "\"a\nb\"")
        #expect(CSVWriter.field("a\rb") == "\"a\rb\"")
        #expect(CSVWriter.field(" padded") == "\" padded\"")
        #expect(CSVWriter.field("") == "")
    }

    @Test func documentsRoundTripThroughTheReader() throws {
        let rows = [
            ["id", "姓名", "备注"], ["1", "张三", "漏水, 很急"], ["2", "欧阳修", "他说\"明天来\"\n再确认"], ["3", "", " x "],
        ]
        let text = CSVWriter.document(rows, byteOrderMark: true)
        #expect(text.hasPrefix("\u{FEFF}id,姓名,备注\r\n"))
        let back = try CSVReader.parse(text)
        #expect(back.map(\.fields) == rows)
        #expect(back.map(\.line) == [1, 2, 3, 5])
    }
}
