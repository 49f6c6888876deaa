import Foundation

/// A plain HTTP/1.1 client over a loopback socket, one request per connection: what the
/// tests need to see exactly what the server sends (every header, each Set-Cookie), with
/// no redirects followed and no cookies kept behind the test's back.
struct RawHTTP {
    struct Reply: CustomStringConvertible {
        var status: Int
        var headers: [(String, String)]
        var body: String

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        func all(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
        var description: String { "\(status) \(headers.map { "\($0.0): \($0.1)" }.joined(separator: "; "))\n\(body.prefix(400))" }

        /// The value of cookie `name` set by this reply.
        func cookie(_ name: String) -> String? {
            for c in all("Set-Cookie") where c.hasPrefix(name + "=") {
                return String(c.dropFirst(name.count + 1).prefix { $0 != ";" })
            }
            return nil
        }
    }

    let port: Int

    func get(_ path: String, headers: [String: String] = [:]) throws -> Reply {
        try send("GET", path, headers: headers, body: nil)
    }

    /// Posts `form` urlencoded.
    func post(_ path: String, form: [(String, String)], headers: [String: String] = [:]) throws -> Reply {
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var h = headers
        if h["Content-Type"] == nil { h["Content-Type"] = "application/x-www-form-urlencoded" }
        return try send("POST", path, headers: h, body: body)
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    func send(_ method: String, _ path: String, headers: [String: String], body: String?) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        let bodyData = Data((body ?? "").utf8)
        if body != nil { head += "Content-Length: \(bodyData.count)\r\n" }
        let request = Data((head + "\r\n").utf8) + bodyData
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            received.append(buffer, count: n)
        }
        return try Self.parse(received)
    }

    static func parse(_ data: Data) throws -> Reply {
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw POSIXError(.EBADMSG) }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Reply(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}
