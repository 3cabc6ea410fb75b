/// A small seeded random number generator (SplitMix64): the same seed draws the same collapses on every machine.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

extension Array {
    /// `count` elements drawn uniformly without replacement (all of them when there are fewer).
    func sampled(_ count: Int, using generator: inout SplitMix64) -> [Element] {
        var pool = self
        let wanted = Swift.min(count, pool.count)
        for index in 0..<wanted {
            let pick = index + Int(generator.next() % UInt64(pool.count - index))
            pool.swapAt(index, pick)
        }
        return Array(pool.prefix(wanted))
    }
}
