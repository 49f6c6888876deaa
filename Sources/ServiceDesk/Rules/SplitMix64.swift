/// SplitMix64 (Steele, Lea & Flood 2014), a small deterministic pseudo-random generator.
///
/// The callback sample must be reproducible from a stored seed on every platform and Swift
/// version, which Swift's `SystemRandomNumberGenerator` and the standard library's
/// `shuffled()`/`randomElement()` algorithms do not promise. Everything here is fixed:
/// the generator, ``next(below:)`` (Lemire's unbiased multiply-and-reject), and the caller's
/// use of it.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The internal state; the next output is derived from it.
    public private(set) var state: UInt64

    /// Creates a generator whose output is fully determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 pseudo-random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly distributed integer in `0..<bound` (`bound` > 0), without modulo bias.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "the bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}
