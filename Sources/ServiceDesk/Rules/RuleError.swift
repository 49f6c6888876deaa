/// The one error type of the service-desk rules: a machine-readable ``code`` plus a
/// whole-sentence ``message`` naming the facts a person needs to fix the input.
///
/// ```swift
/// do { _ = try CivilDate("2026-02-30") }
/// catch let error as RuleError { print(error) }
/// // '2026-02-30' is not a valid date: February 2026 has 28 days.
/// ```
public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of rule was broken; stable, so callers can branch on it.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A date, month or time of day that is malformed or impossible.
        case invalidDate = "invalid_date"
        /// A value outside an enumeration's valid values.
        case invalidValue = "invalid_value"
        /// A work calendar whose settings contradict each other.
        case invalidCalendar = "invalid_calendar"
        /// A lifecycle event the request's current state does not allow.
        case illegalTransition = "illegal_transition"
        /// A phone number that is neither a mainland mobile nor a landline.
        case invalidPhone = "invalid_phone"
        /// An item the custody rule forbids (cash, valuables).
        case custodyRefused = "custody_refused"
        /// Input to the callback planner that would make the plan ambiguous.
        case invalidCallbackInput = "invalid_callback_input"
        /// Malformed CSV text; ``RuleError/line`` says where.
        case csvSyntax = "csv_syntax"
    }

    /// What kind of rule was broken.
    public let code: Code
    /// A one-line sentence for the user, e.g. "line 7: unterminated quoted field".
    public let message: String
    /// The 1-based line of the input the error refers to, when there is one.
    public let line: Int?

    /// Creates an error; `message` should be a whole sentence naming the offending value.
    public init(_ code: Code, _ message: String, line: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
    }

    public var description: String { message }
}
