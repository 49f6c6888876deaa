import Replication
import SyncProtocol

/// The `HubDirectory` a `HubSession` consults at HELLO, over the registry and the replica.
struct RegistryDirectory: HubDirectory {
    let registry: NodeRegistry
    let replica: Replica

    func enrollment(forKey key: String) throws -> Enrollment? {
        guard let n = try registry.node(publicKey: key), !n.isRevoked else { return nil }
        return Enrollment(center: n.center, nodeID: n.replicaID.flatMap(ReplicaID.init(rawValue:)))
    }

    func key(boundTo node: ReplicaID) throws -> String? { try registry.key(boundTo: node.rawValue) }

    func committedPush(from node: ReplicaID) throws -> UInt64 { try replica.receivedCursor(from: node) }
}
