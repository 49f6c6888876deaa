import Testing
@testable import Replication

@Suite struct VersionVectorTests {
    let a = ReplicaID(rawValue: "a")!, b = ReplicaID(rawValue: "b")!, c = ReplicaID(rawValue: "c")!

    @Test func compareCoversEveryOrder() {
        let v1 = VersionVector([a: 1, b: 2])
        #expect(v1.compare(v1) == .equal)
        #expect(v1.compare(VersionVector([a: 1, b: 3])) == .before)
        #expect(VersionVector([a: 2, b: 2]).compare(v1) == .after)
        #expect(v1.compare(VersionVector([a: 2, b: 1])) == .concurrent)
        #expect(v1.compare(VersionVector([c: 1])) == .concurrent)
        #expect(VersionVector().compare(v1) == .before)
        #expect(v1 <= VersionVector([a: 1, b: 2, c: 9]))
    }

    @Test func mergeIsPointwiseMaxAndCanonical() {
        let m = VersionVector([b: 2, a: 5]).merged(VersionVector([c: 1, a: 3, b: 4]))
        #expect(m == VersionVector([a: 5, b: 4, c: 1]))
        #expect(m.entries.map { $0.replica } == [a, b, c])
        #expect(m.covers(Dot(replica: b, counter: 4)))
        #expect(!m.covers(Dot(replica: b, counter: 5)))
        #expect(!m.covers(Dot(replica: ReplicaID(rawValue: "z")!, counter: 1)))
        #expect(VersionVector([a: 0]).entries.isEmpty)
    }
}

@Suite struct ClockTests {
    @Test func tickFollowsWallClockAndNeverGoesBack() {
        var h = HybridLogicalClock()
        let t1 = h.tick(wallMillis: 1000)
        #expect(t1.millis == 1000 && t1.logical == 0)
        let t2 = h.tick(wallMillis: 1000)
        #expect(t2 > t1 && t2.logical == 1)
        let t3 = h.tick(wallMillis: 500)  // wall clock stepped back
        #expect(t3 > t2 && t3.millis == 1000)
        let t4 = h.tick(wallMillis: 2000)
        #expect(t4 == HLCTimestamp(millis: 2000, logical: 0))
    }

    @Test func observeMovesPastRemoteTime() {
        var h = HybridLogicalClock()
        _ = h.tick(wallMillis: 1000)
        h.observe(HLCTimestamp(millis: 5000, logical: 3))
        let t = h.tick(wallMillis: 1001)
        #expect(t > HLCTimestamp(millis: 5000, logical: 3))
    }

    @Test func logicalOverflowBorrowsAMillisecond() {
        var h = HybridLogicalClock(last: HLCTimestamp(millis: 10, logical: .max))
        let t = h.tick(wallMillis: 5)
        #expect(t == HLCTimestamp(millis: 11, logical: 0))
    }

    @Test func lwwOrderBreaksTiesByReplicaThenCounter() {
        let t = HLCTimestamp(millis: 1, logical: 0)
        let x = Clock(dot: Dot(replica: ReplicaID(rawValue: "a")!, counter: 9), hlc: t)
        let y = Clock(dot: Dot(replica: ReplicaID(rawValue: "b")!, counter: 1), hlc: t)
        #expect(Clock.lwwLess(x, y) && !Clock.lwwLess(y, x))
        let z = Clock(dot: Dot(replica: ReplicaID(rawValue: "a")!, counter: 1), hlc: HLCTimestamp(millis: 2, logical: 0))
        #expect(Clock.lwwLess(y, z))
    }

    @Test func replicaIDValidation() {
        #expect(ReplicaID(rawValue: "c001-node") != nil)
        #expect(ReplicaID(rawValue: "") == nil)
        #expect(ReplicaID(rawValue: "有中文") == nil)
        #expect(throws: ReplicationError.self) { try ReplicaID(validating: "a b") }
        let g = ReplicaID.generate(prefix: "C001")
        #expect(g.rawValue.hasPrefix("c001-") && g.rawValue.count == 17)
    }
}

@Suite struct RecordIDTests {
    @Test func orderedIDsSortByCreationTimeAndNeverRepeat() {
        // A burst in one millisecond, a later millisecond, then the clock stepping back.
        let seq = OrderedIDSequence()
        let t: UInt64 = 1_780_000_000_000
        let ids = (0..<5_000).map { _ in seq.next(now: t) } + [seq.next(now: t + 1)]
            + (0..<100).map { _ in seq.next(now: t - 60_000) } + [seq.next(now: t + 5_000)]
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted(), "each id sorts after the one made before it")
        #expect(ids.allSatisfy { $0.utf8.count == 14 && $0.allSatisfy { "0123456789abcdefghjkmnpqrstvwxyz".contains($0) } })
        // Two sequences (two replicas): ids of a later time sort later, whichever the tails.
        let other = OrderedIDSequence()
        #expect(other.next(now: t + 1) < seq.next(now: t + 6_000))
        #expect(RecordID.ordered() != RecordID.ordered())
    }

    @Test func theTimePrefixEncodesTheMillisecond() {
        let t: UInt64 = 1_780_000_123_456
        let id = OrderedIDSequence().next(now: t)
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        let ms = id.prefix(9).reduce(UInt64(0)) { $0 << 5 | UInt64(alphabet.firstIndex(of: $1)!) }
        #expect(ms == t)
    }
}
