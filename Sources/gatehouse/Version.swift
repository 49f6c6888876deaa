import ServiceDesk
import SyncProtocol

/// What `gatehouse --version` prints: the release, and the two versions peers must agree
/// on — the desk schema (what a change set's records mean) and the sync protocol (GHSP).
enum GatehouseVersion {
    /// The release of this build; bumped with each entry of CHANGELOG.md that is released.
    static let release = "0.3.0"

    static var description: String {
        "gatehouse \(release) (desk schema \(DeskSchema.version), protocol GHSP/\(GHSP.version))"
    }
}
