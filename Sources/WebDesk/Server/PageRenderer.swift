import Crypto
import Foundation
import Hummingbird
import Mustache

/// The templates and static files, loaded once at start, and the responses made of them.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// Static files by name, with their content type and a content-hash version.
    let assets: [String: Asset]

    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: String
        /// A short hash of the content: pages link `/static/desk.css?v=<version>`, so a new
        /// binary's files are never mixed with a browser's cached old ones.
        var version: String
    }

    /// Loads everything under `resources`; a template that does not parse fails the start.
    public init(resources: WebResources) throws {
        library = try MustacheLibrary.load(directory: resources.templates.path)
        var assets: [String: Asset] = [:]
        let dir = resources.staticFiles
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
            guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) else { continue }
            let digest = SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
            assets[name] = Asset(body: ByteBuffer(bytes: data), contentType: Self.contentType(of: name), version: digest)
        }
        self.assets = assets
        for required in ["layout", "login", "error", "dashboard", "ticket", "customer", "console"] where library.getTemplate(named: required) == nil {
            throw WebConfigError("the web desk's template \(required).mustache is missing from \(resources.templates.path)")
        }
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        default: "application/octet-stream"
        }
    }

    /// `/static/<name>?v=<hash>` for templates.
    public func assetURL(_ name: String) -> String {
        "/static/\(name)?v=\(assets[name]?.version ?? "0")"
    }

    /// Renders `template` with `model` as an HTML page.
    public func html(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        let text = library.render(model, withTemplate: template) ?? "template \(template) missing"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Renders `template` with `model` to text (a fragment for a live refresh).
    public func string(_ template: String, _ model: Any) -> String {
        library.render(model, withTemplate: template) ?? ""
    }

    /// A static file, or nil when there is none by that name.
    func asset(_ name: String) -> Response? {
        guard let a = assets[name] else { return nil }
        return Response(status: .ok, headers: [.contentType: a.contentType, .cacheControl: "public, max-age=86400"],
                        body: .init(byteBuffer: a.body))
    }
}

extension MustacheLibrary {
    /// Loads a directory's templates synchronously (the library's own initializer is async
    /// only because it may be given a file system to read from).
    static func load(directory: String) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        let paths = (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String]) ?? []
        for path in paths.sorted() where path.hasSuffix(".mustache") {
            guard let text = FileManager.default.contents(atPath: dir + path).flatMap({ String(data: $0, encoding: .utf8) }) else {
                throw WebConfigError("cannot read template \(dir + path)")
            }
            do {
                try library.register(text, named: String(path.dropLast(".mustache".count)))
            } catch let e as MustacheTemplate.ParserError {
                throw WebConfigError("template \(dir + path) does not parse: \(e.error) at line \(e.context.lineNumber)")
            }
        }
        return library
    }
}
