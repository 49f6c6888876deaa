import Foundation

/// Where the web desk listens and how it protects the line: the rules of `--http`,
/// `--tls-cert`/`--tls-key` and `--insecure-http` (pure, so every combination is tested
/// without a socket).
///
/// - Loopback (`127.0.0.0/8`, `::1`, `localhost`) may be served over plain HTTP: nothing
///   crosses a wire.
/// - Any other address carries passwords and customer data over the center's network, so it
///   needs a certificate and its key (HTTPS), or an explicit `--insecure-http` that is
///   warned about at start and in `status`.
///
/// ```swift
/// let listen = try WebListen.resolve(http: "0.0.0.0:8443", defaultPort: 8080,
///                                    tlsCert: "/etc/gatehouse/desk.pem", tlsKey: "/etc/gatehouse/desk.key")
/// listen.scheme   // "https"
/// ```
public struct WebListen: Sendable, Equatable, Codable {
    /// How the listener protects its traffic.
    public enum Security: Sendable, Equatable, Codable {
        /// HTTPS with this certificate chain and private key (PEM files).
        case tls(certificate: String, key: String)
        /// Plain HTTP on a loopback address.
        case loopback
        /// Plain HTTP on a network address, because `--insecure-http` said so.
        case insecure
    }

    /// The host to bind: an IPv4 or IPv6 address, or `localhost`.
    public var host: String
    /// The port; 0 asks the system for a free one (tests).
    public var port: Int
    public var security: Security

    /// The default ports: the node's desk on 8080, the hub's console on 8081.
    public static let nodeDefaultPort = 8080
    public static let hubDefaultPort = 8081

    public init(host: String, port: Int, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }

    public var usesTLS: Bool { if case .tls = security { true } else { false } }
    public var scheme: String { usesTLS ? "https" : "http" }

    /// The warning printed at start and shown by `status` when serving plain HTTP beyond
    /// this machine.
    public var warning: String? {
        guard security == .insecure else { return nil }
        return "the web desk is served over plain HTTP on \(host) (--insecure-http): passwords and customer data cross the network unencrypted"
    }

    /// Applies the rules to the command line's options.
    /// - Parameters:
    ///   - http: `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:443`), or nil for
    ///     `127.0.0.1:<defaultPort>`.
    public static func resolve(http: String?, defaultPort: Int, tlsCert: String? = nil, tlsKey: String? = nil,
                               insecureHTTP: Bool = false) throws -> WebListen {
        let (host, port) = try http.map(parse) ?? ("127.0.0.1", defaultPort)
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?):
            if insecureHTTP { throw WebConfigError("--insecure-http contradicts --tls-cert/--tls-key: with a certificate the desk is served over HTTPS") }
            for (option, path) in [("--tls-cert", cert), ("--tls-key", key)] where !FileManager.default.isReadableFile(atPath: path) {
                throw WebConfigError("\(option) \(path): no such file, or not readable")
            }
            return WebListen(host: host, port: port, security: .tls(certificate: cert, key: key))
        case (.some, nil): throw WebConfigError("--tls-cert needs --tls-key (the certificate's private key)")
        case (nil, .some): throw WebConfigError("--tls-key needs --tls-cert (the certificate it belongs to)")
        case (nil, nil):
            if isLoopback(host) { return WebListen(host: host, port: port, security: .loopback) }
            guard insecureHTTP else {
                throw WebConfigError("""
                    --http \(host):\(port) is not a loopback address: serve it over HTTPS (--tls-cert FILE --tls-key FILE), \
                    or say --insecure-http to send passwords and customer data unencrypted
                    """)
            }
            return WebListen(host: host, port: port, security: .insecure)
        }
    }

    /// Splits `HOST:PORT`; an IPv6 host is written in brackets (`[::1]:8080`).
    static func parse(_ text: String) throws -> (String, Int) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let host: Substring, portText: Substring
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]"), t[t.index(after: close)...].hasPrefix(":") else {
                throw WebConfigError("invalid --http \"\(text)\": write an IPv6 address as [::1]:8080")
            }
            host = t[t.index(after: t.startIndex)..<close]
            portText = t[t.index(close, offsetBy: 2)...]
        } else {
            guard let colon = t.lastIndex(of: ":"), t.firstIndex(of: ":") == colon else {
                throw WebConfigError("invalid --http \"\(text)\": use HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8443")
            }
            host = t[..<colon]
            portText = t[t.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw WebConfigError("invalid --http \"\(text)\": the port is a number from 0 (any free port) to 65535")
        }
        guard !host.isEmpty, host == "localhost" || isIPv4(host) || (host.contains(":") && isIPv6(host)) else {
            throw WebConfigError("invalid --http \"\(text)\": the host is an IP address (127.0.0.1, 0.0.0.0, [::1]) or localhost")
        }
        return (String(host), port)
    }

    /// Whether `host` names this machine only.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        guard isIPv4(host[...]) else { return false }
        return host.hasPrefix("127.")
    }

    static func isIPv4(_ s: Substring) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) && Int(p)! <= 255
        }
    }

    static func isIPv6(_ s: Substring) -> Bool {
        var a = in6_addr()
        return inet_pton(AF_INET6, String(s), &a) == 1
    }
}

/// A web desk option that cannot work, worded for the person starting the daemon.
public struct WebConfigError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ message: String) { description = message }
}
