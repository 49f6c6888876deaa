import Foundation

/// Finds the web desk's templates and static files: the package's resource bundle
/// (`Gatehouse_WebDesk.resources`), which SwiftPM puts beside the built binary.
///
/// Looked for, in order: `GATEHOUSE_WEB_RESOURCES` (a directory holding `templates/` and
/// `static/`); beside the executable (the build directory, or an install that copied the
/// bundle with the binary); `<prefix>/share/gatehouse/` for a binary in `<prefix>/bin`
/// (`./scripts/install`). Unlike SwiftPM's `Bundle.module`, which falls back to the build
/// directory it was compiled in, a missing bundle is an error the daemon reports at start,
/// not a crash, and an installed binary never reads files from a build tree.
public struct WebResources: Sendable {
    /// The directory holding `templates/` and `static/`.
    public let root: URL

    public var templates: URL { root.appendingPathComponent("templates") }
    public var staticFiles: URL { root.appendingPathComponent("static") }

    /// The bundle's directory name, as SwiftPM names it (package `Gatehouse`, target `WebDesk`).
    public static let bundleName = "Gatehouse_WebDesk.resources"

    public init(root: URL) { self.root = root }

    /// The first candidate that holds both folders.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: URL? = Self.executableURL) throws -> WebResources {
        let candidates = Self.candidates(environment: environment, executable: executable)
        for dir in candidates where isResourceRoot(dir) { return WebResources(root: dir) }
        throw WebConfigError("""
            the web desk's templates and static files were not found; looked in: \
            \(candidates.map(\.path).joined(separator: ", ")). Install \(bundleName) beside the gatehouse binary \
            (./scripts/install does) or set GATEHOUSE_WEB_RESOURCES
            """)
    }

    static func candidates(environment: [String: String], executable: URL?) -> [URL] {
        var out: [URL] = []
        if let dir = environment["GATEHOUSE_WEB_RESOURCES"], !dir.isEmpty { out.append(URL(fileURLWithPath: dir)) }
        if let exe = executable?.resolvingSymlinksInPath() {
            let bin = exe.deletingLastPathComponent()
            out.append(bin.appendingPathComponent(bundleName))
            out.append(bin.deletingLastPathComponent().appendingPathComponent("share/gatehouse").appendingPathComponent(bundleName))
        }
        return out
    }

    static func isResourceRoot(_ dir: URL) -> Bool {
        var isDir: ObjCBool = false
        return ["templates", "static"].allSatisfy {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path, isDirectory: &isDir) && isDir.boolValue
        }
    }

    /// This process's executable (`/proc/self/exe` on Linux: the real file, symlinks resolved).
    public static var executableURL: URL? {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: path) }
        #endif
        return Bundle.main.executableURL
    }
}
