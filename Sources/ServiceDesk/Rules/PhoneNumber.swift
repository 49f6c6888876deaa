/// A validated, normalised mainland-China phone number.
///
/// Accepted input: digits with spaces, `-`, `.`, `(`, `)` and an optional country prefix
/// `+86`, `0086` or `86` (the bare `86` only in front of an 11-digit mobile number).
/// - **Mobile**: 11 digits starting with 1 and a second digit 3–9 → `"13812345678"`.
/// - **Landline**: a trunk `0`, an area code — 3 digits for 010 and 02x (Beijing, Shanghai,
///   Tianjin, Chongqing, the big cities 02x), 4 digits otherwise — and a 7- or 8-digit local
///   number → `"0755-12345678"`. After `+86` the trunk 0 may be missing (`+86 755 1234 5678`).
///
/// Short numbers without an area code (hotlines such as 95555, extensions) are refused:
/// a customer record needs a number the desk can dial from anywhere.
///
/// ```swift
/// try PhoneNumber("+86 138-1234-5678").normalized   // "13812345678"
/// try PhoneNumber("(0755) 8888 1234").normalized    // "0755-88881234"
/// ```
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Mobile or landline.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// 手机.
        case mobile
        /// 固定电话.
        case landline
    }

    /// Mobile or landline.
    public let kind: Kind
    /// The normalised form: 11 digits for a mobile, `"AREA-LOCAL"` for a landline.
    public let normalized: String
    /// The area code with its trunk 0 (`"0755"`) for a landline; `nil` for a mobile.
    public let areaCode: String?

    /// Validates and normalises `text`; throws ``RuleError`` (`invalidPhone`) otherwise.
    public init(_ text: String) throws(RuleError) {
        let trimmed = text.trimmingWhitespace()
        var digits = ""
        var plus = false
        for (index, character) in trimmed.enumerated() {
            if character.isASCII, let _ = character.wholeNumberValue {
                digits.append(character)
            } else if character == "+" && index == 0 {
                plus = true
            } else if !" -.()（）".contains(character) {
                throw PhoneNumber.error(text, "it contains '\(character)'")
            }
        }
        var hadCountryCode = false
        if plus {
            guard digits.hasPrefix("86") else { throw PhoneNumber.error(text, "only +86 (mainland China) is accepted") }
            digits.removeFirst(2)
            hadCountryCode = true
        } else if digits.hasPrefix("0086") {
            digits.removeFirst(4)
            hadCountryCode = true
        } else if digits.count == 13 && digits.hasPrefix("861") {
            digits.removeFirst(2)
            hadCountryCode = true
        }
        // After a country code the trunk 0 of a landline is usually left out: +86 10 ..., +86 755 ...
        if hadCountryCode && !digits.hasPrefix("0") && !(digits.hasPrefix("1") && digits.count == 11) {
            digits = "0" + digits
        }

        let bytes = Array(digits.utf8)
        if bytes.first == UInt8(ascii: "1") {
            guard bytes.count == 11, (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1]) else {
                throw PhoneNumber.error(text, "a mobile number has 11 digits starting with 13–19")
            }
            kind = .mobile
            normalized = digits
            areaCode = nil
        } else if bytes.first == UInt8(ascii: "0"), bytes.count >= 3 {
            let areaLength = (bytes[1] == UInt8(ascii: "1") || bytes[1] == UInt8(ascii: "2")) ? 3 : 4
            let local = digits.dropFirst(areaLength)
            guard bytes[1] != UInt8(ascii: "0"), (7...8).contains(local.count), !local.hasPrefix("0") else {
                throw PhoneNumber.error(
                    text, "a landline is an area code and a 7- or 8-digit number, e.g. 0755-12345678")
            }
            kind = .landline
            areaCode = String(digits.prefix(areaLength))
            normalized = areaCode! + "-" + local
        } else {
            throw PhoneNumber.error(
                text, "use an 11-digit mobile number or a landline with its area code, e.g. 0755-12345678")
        }
    }

    /// The normalised form.
    public var description: String { normalized }

    /// The same number masked for display, e.g. `"138****5678"` (see ``Masking/phone(_:)``).
    public var masked: String { Masking.phone(normalized) }

    private static func error(_ text: String, _ reason: String) -> RuleError {
        RuleError(.invalidPhone, "'\(text)' is not a valid phone number: \(reason).")
    }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(normalized)
    }
}
