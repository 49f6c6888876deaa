import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a password: the first line of standard input for scripts (`--password-stdin`),
/// else a prompt without echo on the terminal. With neither (cron, CI) it refuses rather
/// than wait for input that will never come.
enum PasswordInput {
    static func read(fromStdin: Bool, prompt: String, option: String) throws -> String {
        if fromStdin {
            guard let line = Swift.readLine(strippingNewline: true) else {
                throw CLIError("\(option): no password on standard input")
            }
            let p = line.hasSuffix("\r") ? String(line.dropLast()) : line
            guard !p.isEmpty else { throw CLIError("\(option): the password is empty") }
            return p
        }
        guard isatty(STDIN_FILENO) == 1, let raw = getpass(prompt) else {
            throw CLIError("no terminal to ask for the password on: give it on standard input with \(option)")
        }
        return String(cString: raw)
    }
}
