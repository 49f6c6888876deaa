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
