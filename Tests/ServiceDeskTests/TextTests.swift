import ServiceDesk
import Testing

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("", 0), ("abc", 3), ("张三", 4), ("张三 Zhang", 10), ("3栋2单元1101", 12),
        ("，。、「」", 10),  // CJK punctuation
        ("ＡＢＣ１２３", 12),  // fullwidth forms
        ("한국어", 6),  // Hangul
        ("ひらがなカタカナ", 16),
        ("e\u{301}", 1),  // e + combining acute
        ("\u{200B}", 0),  // zero-width space
        ("😀", 2), ("👍🏽", 2), ("👨‍👩‍👧", 2), ("🇨🇳", 2), ("❤️", 2), ("❤", 1),
        ("𠀀", 2),  // CJK extension B
        ("“引号”…", 7),  // ambiguous-width punctuation counted narrow
        ("a\tb", 2),  // control characters take no column
    ])
    func widths(text: String, expected: Int) {
        #expect(DisplayWidth.of(text) == expected, "\(text)")
    }

    /// Strings whose every scalar is printable ASCII, Latin, common punctuation, math signs,
    /// CJK ideographs, CJK punctuation or fullwidth forms are measured without grapheme
    /// breaking (reports measure half a million cells): the same widths as character by
    /// character, and no such scalar joins its neighbour into one character.
    @Test func simpleScalarsMeasureAsTheirCharacters() {
        let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0xA0...0x2FF, 0x2010...0x2027, 0x2190...0x22FF, 0x3000...0x3029,
                                            0x4E00...0x9FFF, 0xFF01...0xFF60]
        var wrong: [String] = []
        for r in ranges {
            for v in r {
                guard let u = Unicode.Scalar(v) else { continue }
                let s = String(Character(u))
                if DisplayWidth.of(s) != DisplayWidth.of(Character(u)) || (s + s).count != 2 || ("a" + s + "张").count != 3 {
                    wrong.append(String(v, radix: 16))
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(20))")
        #expect(DisplayWidth.of("处理时限达标率（答复·投诉·到场）") == 32)
        #expect(DisplayWidth.of("回访率（目标≥60 %）") == 19)
    }

    @Test func paddingAndTruncation() {
        #expect(DisplayWidth.pad("张三", to: 6) == "张三  ")
        #expect(DisplayWidth.pad("80", to: 5, alignment: .right) == "   80")
        #expect(DisplayWidth.pad("张三丰", to: 4) == "张三丰")
        #expect(DisplayWidth.truncate("阳光花园3栋", to: 7) == "阳光花…")
        #expect(DisplayWidth.truncate("阳光花园3栋", to: 6) == "阳光…")  // a wide char never straddles
        #expect(DisplayWidth.truncate("阳光花园3栋", to: 11) == "阳光花园3栋")
        #expect(DisplayWidth.truncate("abc", to: 0) == "")
        #expect(DisplayWidth.fit("阳光花园3栋", to: 6) == "阳光… ")
        #expect(DisplayWidth.of(DisplayWidth.fit("阳光花园3栋", to: 6)) == 6)
        #expect(DisplayWidth.fit("张", to: 4, alignment: .right) == "  张")
    }
}

@Suite struct TextTableTests {
    @Test func alignsMixedChineseAndASCII() {
        var table = TextTable(headers: ["编号", "姓名", "费用", "地址"], alignments: [.left, .left, .right, .left])
        table.append(["T1", "张*", "80", "3栋****"])
        table.append(["T12", "欧阳**", "1200", "阳光花园B座****"])
        table.append(["T3", "Z***"])
        let expected = """
            编号  姓名    费用  地址
            ----  ------  ----  ---------------
            T1    张*       80  3栋****
            T12   欧阳**  1200  阳光花园B座****
            T3    Z***
            """
        #expect(table.render() == expected)
        // Each cell starts at the same display column on every line.
        for line in table.render().split(separator: "\n").dropFirst(2) {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            if cells.count == 4 {
                let nameStart = DisplayWidth.of(String(line.prefix(upTo: line.firstRange(of: cells[1])!.lowerBound)))
                #expect(nameStart == 6)
            }
        }
    }

    @Test func flattensLineBreaksAndTruncatesWideCells() {
        var table = TextTable(headers: ["备注"], maxColumnWidth: 8)
        table.append(["第一行\n第二行很长"])
        #expect(table.render() == "备注\n--------\n第一行 …")
        var flat = TextTable(headers: ["a", "b"])
        flat.append(["x\ty", "1", "extra"])
        #expect(flat.render() == "a    b\n---  -\nx y  1")
    }

    /// The rendering is the plain definition — each cell flattened, cut and padded to its
    /// column, two spaces apart, trailing spaces trimmed — whatever the cells hold: empty,
    /// spaces at their end, wider than the limit, missing or extra, emoji and marks.
    @Test func rendersAsTheCellByCellDefinition() {
        let samples = ["", " ", "a", "ab  ", "张三", "张三 ", "80", "1200", "e\u{301}x", "😀好", "第一行\n第二行", "x\ty",
                       "处理时限达标率（答复·投诉·到场）", "0/0 (—)", "阳光花园B座3栋2单元1101室很长很长很长", "  lead"]
        var seed: UInt64 = 42
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        for trial in 0..<40 {
            let columns = 1 + next(5)
            let headers = (0..<columns).map { _ in samples[next(samples.count)] }
            let alignments = (0..<next(columns + 1)).map { _ in next(2) == 0 ? DisplayWidth.Alignment.left : .right }
            var t = TextTable(headers: headers, alignments: alignments, maxColumnWidth: next(2) == 0 ? nil : 4 + next(12))
            for _ in 0..<next(6) { t.append((0..<next(columns + 2)).map { _ in samples[next(samples.count)] }) }
            #expect(t.render() == reference(t), "trial \(trial)")
        }
    }

    /// The table as first written: simple, quadratic in nothing, slow in everything.
    private func reference(_ t: TextTable) -> String {
        let count = t.headers.count
        func clean(_ cell: String) -> String {
            let flat = String(cell.map { $0.isNewline || $0 == "\t" ? " " : $0 })
            return t.maxColumnWidth.map { DisplayWidth.truncate(flat, to: $0) } ?? flat
        }
        func trim(_ s: String) -> String {
            var s = Substring(s)
            while s.last == " " { s = s.dropLast() }
            return String(s)
        }
        let head = t.headers.map(clean)
        let body = t.rows.map { row in (0..<count).map { $0 < row.count ? clean(row[$0]) : "" } }
        let widths = (0..<count).map { c in ([head[c]] + body.map { $0[c] }).map(DisplayWidth.of).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            trim(cells.enumerated().map { c, cell in
                DisplayWidth.pad(cell, to: widths[c], alignment: c < t.alignments.count ? t.alignments[c] : .left)
            }.joined(separator: "  "))
        }
        let rule = trim(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        return ([line(head), rule] + body.map(line)).joined(separator: "\n")
    }

    @Test func headerOnlyTable() {
        #expect(TextTable(headers: ["姓名", "电话"]).render() == "姓名  电话\n----  ----")
    }
}

@Suite struct MaskingTests {
    @Test(arguments: [
        ("张三", "张*"), ("张三丰", "张**"), ("李", "李"), ("欧阳修", "欧阳*"), ("欧阳", "欧*"),
        ("诸葛孔明", "诸葛**"), ("司马相如", "司马**"), ("上官婉儿", "上官**"), ("东方朔", "东方*"),
        ("皇甫嵩", "皇甫*"), ("尉迟恭", "尉迟*"), ("公孙策", "公孙*"), ("慕容复", "慕容*"), ("司徒雷登", "司徒**"),
        ("令狐冲", "令狐*"), ("王欧阳", "王**"), ("买买提·艾力", "买**·**"), (" 张三 ", "张*"),
        ("Zhang Wei", "Z***"), ("li", "l***"), ("A", "A***"), ("", ""), ("   ", ""),
    ])
    func names(input: String, expected: String) {
        #expect(Masking.name(input) == expected)
    }

    @Test(arguments: [
        ("13812345678", "138****5678"), ("138-1234-5678", "138****5678"), ("+86 138 1234 5678", "861******5678"),
        ("0755-12345678", "0755-****5678"), ("010-12345678", "010-****5678"), ("021 6123 4567", "021-****4567"),
        ("0755-1234567", "0755-***4567"), ("12345678", "****5678"), ("95555", "***55"), ("110", "***"),
        ("", ""), ("无", "*"),
    ])
    func phones(input: String, expected: String) {
        #expect(Masking.phone(input) == expected)
    }

    @Test func normalisedPhonesMaskCleanly() throws {
        #expect(try PhoneNumber("+86 138 1234 5678").masked == "138****5678")
        #expect(try PhoneNumber("(0755) 1234 5678").masked == "0755-****5678")
    }

    @Test(arguments: [
        ("110105199003071234", "1101**********1234"), ("11010519900307123X", "1101**********123X"),
        ("E12345678", "E123*5678"), ("12345678", "********"), ("123", "***"), ("", ""),
    ])
    func idNumbers(input: String, expected: String) {
        #expect(Masking.idNumber(input) == expected)
    }

    @Test(arguments: [
        ("3栋2单元1101", "3栋****"), ("阳光花园3栋2单元1101", "阳光花园3栋****"), ("阳光花园B座1203", "阳光花园B座****"),
        ("金座花园12号楼3单元502", "金座花园12号楼****"), ("五幢301室", "五幢****"), ("3栋", "3栋"),
        ("阳光花园1101", "阳光花园****"), ("1101", "****"), ("阳光花园会所", "阳光花园****"), ("", ""),
    ])
    func addresses(input: String, expected: String) {
        #expect(Masking.address(input) == expected)
    }
}

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("13812345678", "13812345678", PhoneNumber.Kind.mobile), ("138 1234 5678", "13812345678", .mobile),
        ("138-1234-5678", "13812345678", .mobile), ("+86 138-1234-5678", "13812345678", .mobile),
        ("+8613812345678", "13812345678", .mobile), ("008613812345678", "13812345678", .mobile),
        ("8613812345678", "13812345678", .mobile), ("19912345678", "19912345678", .mobile),
        ("0755-12345678", "0755-12345678", .landline), ("(0755) 8888 1234", "0755-88881234", .landline),
        ("075588881234", "0755-88881234", .landline), ("010-87654321", "010-87654321", .landline),
        ("02161234567", "021-61234567", .landline), ("0871-6123456", "0871-6123456", .landline),
        ("+86 755 1234 5678", "0755-12345678", .landline), ("+86 10 8765 4321", "010-87654321", .landline),
    ])
    func validNumbers(input: String, normalized: String, kind: PhoneNumber.Kind) throws {
        let phone = try PhoneNumber(input)
        #expect(phone.normalized == normalized)
        #expect(phone.kind == kind)
    }

    @Test(arguments: [
        "", "1381234567", "138123456789", "12812345678", "95555", "12345678", "0755-123456", "0755-012345678",
        "0012345678", "+1 415 555 0100", "138-1234-567a", "电话13812345678",
    ])
    func invalidNumbers(input: String) {
        #expect {
            try PhoneNumber(input)
        } throws: { error in
            guard let error = error as? RuleError else { return false }
            return error.code == .invalidPhone && error.message.hasPrefix("'\(input)' is not a valid phone number: ")
        }
    }

    @Test func messageSaysWhatIsExpected() {
        #expect {
            try PhoneNumber("1381234567")
        } throws: { error in
            (error as? RuleError)?.message
                == "'1381234567' is not a valid phone number: a mobile number has 11 digits starting with 13–19."
        }
    }
}
