import ArgumentParser
import ServiceDesk

/// Domain enumerations on the command line: the English value, the Chinese name or an
/// alias (`--kind 投诉`), through the domain's own parser; `--help` lists the raw values.
extension ExpressibleByArgument where Self: DomainEnumeration {
    public init?(argument: String) {
        guard let v = try? Self.parse(argument) else { return nil }
        self = v
    }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
