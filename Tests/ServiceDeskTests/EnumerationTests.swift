import Foundation
import ServiceDesk
import Testing

@Suite struct EnumerationTests {
    @Test func rawValuesAreStable() {
        #expect(RequestKind.allCases.map(\.rawValue) == ["repair", "complaint", "service", "inquiry", "suggestion"])
        #expect(ComplaintClass.allCases.map(\.rawValue) == ["1", "2", "3"])
        #expect(Severity.allCases.map(\.rawValue) == ["general", "major"])
        #expect(Channel.allCases.map(\.rawValue) == ["phone", "walk_in", "wechat", "app", "email", "letter", "other"])
        #expect(CallbackMethod.allCases.map(\.rawValue) == ["phone", "on_site", "sms", "email", "questionnaire"])
        #expect(
            CallbackResult.allCases.map(\.rawValue)
                == ["satisfied", "basically_satisfied", "unsatisfied", "not_reached", "refused"])
        #expect(MaterialSource.allCases.map(\.rawValue) == ["company", "customer"])
        #expect(
            ParcelType.allCases.map(\.rawValue)
                == ["letter", "registered_mail", "parcel", "express", "printed_matter", "other"])
        #expect(
            CallbackReason.allCases.map(\.rawValue)
                == [
                    "complaint", "paid_service", "new_staff", "previously_complained_staff", "commissioned_service",
                    "sampled",
                ])
    }

    @Test func chineseDisplayNames() {
        #expect(RequestKind.allCases.map(\.displayName) == ["报修", "投诉", "有偿服务", "咨询", "建议"])
        #expect(ComplaintClass.allCases.map(\.displayName) == ["一类投诉", "二类投诉", "三类投诉"])
        #expect(ComplaintClass.developerOrBuilding.meaning.contains("发展商遗留问题"))
        #expect(Severity.allCases.map(\.displayName) == ["一般", "重大"])
        #expect(Channel.walkIn.displayName == "来访")
        #expect(Channel.wechat.displayName == "微信")
        #expect(CallbackResult.allCases.map(\.displayName) == ["满意", "基本满意", "不满意", "未接通", "拒访"])
    }

    @Test(arguments: [
        ("repair", RequestKind.repair), ("REPAIR", .repair), (" 报修 ", .repair), ("维修", .repair),
        ("投诉", .complaint), ("委托服务", .service), ("有偿服务", .service), ("service", .service),
        ("咨询", .inquiry), ("建议", .suggestion),
    ])
    func parsesRequestKinds(text: String, expected: RequestKind) throws {
        #expect(try RequestKind.parse(text) == expected)
    }

    @Test func parsesOtherEnumerationsByRawValueCaseNameAndChinese() throws {
        #expect(try Channel.parse("walk_in") == .walkIn)
        #expect(try Channel.parse("walkIn") == .walkIn)
        #expect(try Channel.parse("Walk-in") == .walkIn)
        #expect(try Channel.parse("微信") == .wechat)
        #expect(try Channel.parse("WeChat") == .wechat)
        #expect(try CallbackMethod.parse("on-site") == .onSite)
        #expect(try CallbackMethod.parse("上门") == .onSite)
        #expect(try CallbackResult.parse("基本满意") == .basicallySatisfied)
        #expect(try CallbackResult.parse("not_reached") == .notReached)
        #expect(try ComplaintClass.parse("2") == .developerOrBuilding)
        #expect(try ComplaintClass.parse("三类投诉") == .external)
        #expect(try Severity.parse("重大") == .major)
        #expect(try MaterialSource.parse("顾客自备") == .customer)
        #expect(try ParcelType.parse("快递") == .express)
    }

    @Test func unknownValuesListTheValidOnes() {
        #expect {
            try Severity.parse("huge")
        } throws: { error in
            (error as? RuleError)?.message == "unknown severity 'huge'; valid values: general (一般), major (重大)"
        }
        #expect {
            try RequestKind.parse("")
        } throws: { error in
            (error as? RuleError)?.message
                == "unknown request kind ''; valid values: repair (报修), complaint (投诉), service (有偿服务), inquiry (咨询), suggestion (建议)"
        }
        #expect(throws: RuleError.self) { try ComplaintClass.parse("4") }
    }

    /// No spelling may parse to two different values of one enumeration, and every value
    /// parses back from its raw value and its display name.
    func checkUnambiguous<E: DomainEnumeration>(_: E.Type) throws {
        for value in E.allCases {
            for name in [value.rawValue, value.displayName] + value.aliases {
                #expect(try E.parse(name) == value, "\(E.valueName) '\(name)'")
            }
        }
    }

    @Test func everySpellingParsesToExactlyItsOwnValue() throws {
        try checkUnambiguous(RequestKind.self)
        try checkUnambiguous(ComplaintClass.self)
        try checkUnambiguous(Severity.self)
        try checkUnambiguous(Channel.self)
        try checkUnambiguous(CallbackMethod.self)
        try checkUnambiguous(CallbackResult.self)
        try checkUnambiguous(MaterialSource.self)
        try checkUnambiguous(ParcelType.self)
        try checkUnambiguous(CallbackReason.self)
        try checkUnambiguous(TicketStage.self)
        try checkUnambiguous(TicketEvent.self)
        try checkUnambiguous(DeadlineName.self)
    }

    @Test func callbackResultClassification() {
        #expect(CallbackResult.allCases.filter(\.reachedCustomer) == [.satisfied, .basicallySatisfied, .unsatisfied])
        #expect(CallbackResult.allCases.filter(\.countsAsSatisfied) == [.satisfied, .basicallySatisfied])
    }

    @Test func codableUsesRawValues() throws {
        let data = try JSONEncoder().encode([Channel.walkIn])
        #expect(String(decoding: data, as: UTF8.self) == #"["walk_in"]"#)
    }
}

@Suite struct CustodyPolicyTests {
    @Test(arguments: [
        "钥匙一串", "自行车一辆，后轮漏气", "铝合金梯子", "五金工具箱", "金属衣架", "快递纸箱（未拆）", "Umbrella",
    ])
    func acceptsOrdinaryItems(description: String) throws {
        try CustodyPolicy.validate(description: description)
    }

    @Test(arguments: [
        ("现金2000元", "现金"), ("一个装钱的信封", "钱"), ("人民币", "人民币"), ("存折", "存折"),
        ("工商银行卡", "银行卡"), ("金项链", "金"), ("首饰盒", "首饰"), ("珠宝", "珠宝"), ("手表一块", "手表"),
        ("Cash envelope", "cash"), ("some MONEY", "money"), ("jewelry box", "jewel"), ("valuables", "valuable"),
    ])
    func refusesCashAndValuablesCitingTheRule(description: String, term: String) {
        #expect {
            try CustodyPolicy.validate(description: description)
        } throws: { error in
            guard let error = error as? RuleError else { return false }
            return error.code == .custodyRefused && error.message.contains("(\(term))")
                && error.message.contains("001 P7.12-1 4.2.4") && error.message.contains("现金和贵重物品不得接受委托")
        }
    }

    @Test func refusesAnEmptyDescription() {
        #expect(throws: RuleError.self) { try CustodyPolicy.validate(description: "  ") }
    }
}
