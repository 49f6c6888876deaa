// TEMPORARY STUB (replaced by the real reader from branch wire-decoder)
struct FastChangeSet {
    var messageField: Int
    var head: Gatehouse_Sync_V1_ChangeSet
    var decoded: Result<DecodedChangeSet, SyncError>
}
enum ChangeSetReader {
    static func read(_ body: [UInt8], limits: SyncLimits) -> FastChangeSet? { nil }
}
