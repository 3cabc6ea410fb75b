import Foundation

/// Mutations of a valid payload into the kinds of bad input gateways and networks produce: a flipped byte,
/// truncation, invalid UTF-8, deep nesting, out-of-range numbers, impossible dates, hostile ids, oversize,
/// wrong types, doubled text and repeated keys. Deterministic for a given generator, so a failing case can
/// be reproduced from its seed.
public enum PayloadMutator {
    /// A small deterministic generator (SplitMix64).
    public struct Generator: RandomNumberGenerator {
        public var state: UInt64

        public init(state: UInt64) { self.state = state }

        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One random mutation of `seed` (or, one time in twelve, the seed itself).
    public static func mutate(_ seed: [UInt8], _ random: inout Generator) -> [UInt8] {
        var bytes = seed
        func replacing(_ target: String, with replacement: String) -> [UInt8] {
            Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: target, with: replacement).utf8)
        }
        func any(_ choices: [String]) -> String { choices.randomElement(using: &random) ?? "" }
        switch Int.random(in: 0..<12, using: &random) {
        case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        case 1 where !bytes.isEmpty: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
        case 2: bytes.insert(contentsOf: [0xC3, 0x28, 0xFF, 0xFE], at: Int.random(in: 0...bytes.count, using: &random))
        case 3: bytes = Array(String(repeating: "[", count: Int.random(in: 20...400, using: &random)).utf8) + bytes
        case 4: bytes = replacing("true", with: "1e400")
        case 5: bytes = replacing("2026-11-29", with: any(["9999-12-31", "1970-01-01", "2026-02-30"]))
        case 6: bytes = replacing("\"e", with: any(["\"+#/", "\"\u{0}", "\"" + String(repeating: "x", count: 200)]))
        case 7: bytes += Array(String(repeating: " ", count: 17_000).utf8)
        case 8: bytes = replacing("\"value\":", with: any(["\"value\":{\"a\":[1,2]},\"x\":", "\"value\":null,\"y\":", "\"value\":\"true\",\"z\":"]))
        case 9: bytes = bytes + bytes
        case 10: bytes = replacing("\"id\":\"e", with: "\"id\":\"e\"" + ",\"id\":\"e")
        default: break
        }
        return bytes
    }

    /// The resident memory of this process, in bytes (Linux), to check that bad input leaves none behind.
    public static func residentBytes() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        return (text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 4096
    }
}
