import Foundation

/// How long one home is normally quiet, learned from its own activity: for each `QuietContext` (where the last
/// activity was, and the part of the day), a histogram of the quiets that followed, on a log scale from under 2 min
/// to over 14 h. Old quiets fade (each day's weight falls by 1/28), so the routine follows the last four weeks or so
/// and a changed routine is learned again within weeks.
///
/// ```swift
/// var routine = LearnedRoutine()
/// routine.learn(quiet: 25 * 60_000, in: context, day: today)
/// routine.judgement(for: context)?.plausibleMinutes   // nil until the context has enough quiets
/// ```
///
/// Small on purpose: 1,280 bytes of counts a home (a budget of 4 KB a home beside the fixed rules' 2 KB).
public struct LearnedRoutine: Sendable, Equatable {
    /// `QuietContext.count` histograms of `Bins.count` counts each, in units of 1/`scale` of a quiet.
    private(set) var counts: [UInt16]
    /// The local day through which the counts have faded.
    private(set) var fadedThrough: Int32
    /// Local days on which some quiet was learned since learning (re)started, and the last such day.
    public private(set) var learnedDays: UInt16 = 0
    private(set) var lastLearnedDay: Int32 = .min

    /// One quiet counts `scale`; counts saturate at 65,535 (2,047 quiets in one bin, far beyond what a tail needs).
    static let scale = 32
    /// Quiets fewer than this in a context (after fading) are not enough to judge by: the fixed rules apply there.
    public static let minimumQuiets = 20.0
    /// Expected false alarms a context may cost per four weeks of this home's own history (peaks over threshold).
    static let falseAlarmsPerContext = 0.01
    /// A quiet is never judged implausible until it is this many times the longest seen in its context: a home breaks its
    /// own record in some context most weeks, by a little, and each such record would otherwise be an urgent call.
    static let marginOverLongest = 2.0

    public init(startDay: Int64 = 0) {
        counts = Array(repeating: 0, count: QuietContext.count * Bins.count)
        fadedThrough = Int32(clamping: startDay)
    }

    /// Learns one quiet of `milliseconds` that began in `context` on local `day`.
    public mutating func learn(quiet milliseconds: Int64, in context: QuietContext, day: Int64) {
        fade(through: day)
        let index = context.index * Bins.count + Bins.bin(minutes: Double(milliseconds) / 60_000)
        counts[index] = UInt16(min(Int(counts[index]) + Self.scale, Int(UInt16.max)))
        let learnedDay = Int32(clamping: day)
        if learnedDay != lastLearnedDay {
            lastLearnedDay = learnedDay
            learnedDays = learnedDays == .max ? .max : learnedDays + 1
        }
    }

    /// Lets the counts fade by one day's weight for each day since they last did, up to `day`.
    public mutating func fade(through day: Int64) {
        let target = Int32(clamping: day)
        guard target > fadedThrough else { return }
        let days = Int(target - fadedThrough)
        fadedThrough = target
        if days > 200 {
            for index in counts.indices { counts[index] = 0 }
            return
        }
        for index in counts.indices where counts[index] != 0 {
            var value = UInt32(counts[index])
            // ×247/256 a day ≈ e^(-1/28).
            for _ in 0..<days where value != 0 { value = (value * 247) >> 8 }
            counts[index] = UInt16(value)
        }
    }

    /// What this home's history says of a quiet that began in `context`, or nil when it has too few quiets there.
    public func judgement(for context: QuietContext) -> QuietJudgement? {
        let base = context.index * Bins.count
        // Asked whenever the home's deadline moves (most activity): a context with too few quiets costs no arithmetic, and
        // none costs an allocation.
        var quiets = 0
        for index in base..<(base + Bins.count) { quiets += Int(counts[index]) }
        guard Double(quiets) / Double(Self.scale) >= Self.minimumQuiets else { return nil }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: Bins.count) { bins in
            for index in 0..<Bins.count { bins.initializeElement(at: index, to: Double(counts[base + index]) / Double(Self.scale)) }
            return QuietJudgement(bins: UnsafeBufferPointer(bins), falseAlarms: Self.falseAlarmsPerContext, margin: Self.marginOverLongest)
        }
    }

    /// Bytes of counts this routine holds (its share of a home's rule state).
    public var countBytes: Int { counts.count * MemoryLayout<UInt16>.stride }

    /// Whether enough days have been learned for the routine to be used (`RuleSettings.learningDays`).
    public func isReady(days: Int) -> Bool { Int(learnedDays) >= days }
}

extension LearnedRoutine: Codable {
    private enum CodingKeys: String, CodingKey { case nonzero, fadedThrough, learnedDays, lastLearnedDay }

    /// Saved as `[nonzero, fadedThrough, learnedDays, lastLearnedDay]`; the counts that are not zero as one base64 string of
    /// (index, count) pairs of little-endian 16-bit numbers: a home uses a few of its 32 contexts and a few bins in each, so
    /// a checkpoint of 100,000 homes stays small and decodes fast, not as 64 million JSON numbers nor a mostly empty table.
    /// The keyed object of earlier versions is still read.
    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        var bytes: [UInt8] = []
        for (index, value) in counts.enumerated() where value != 0 {
            bytes += [UInt8(index & 0xFF), UInt8(index >> 8), UInt8(value & 0xFF), UInt8(value >> 8)]
        }
        try fields.encode(Data(bytes).base64EncodedString())
        try fields.encode(fadedThrough)
        try fields.encode(learnedDays)
        try fields.encode(lastLearnedDay)
    }

    public init(from decoder: any Decoder) throws {
        let nonzero: String
        if var fields = try? decoder.unkeyedContainer() {
            nonzero = try fields.decode(String.self)
            fadedThrough = try fields.decode(Int32.self)
            learnedDays = try fields.decode(UInt16.self)
            lastLearnedDay = try fields.decode(Int32.self)
        } else {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            nonzero = try container.decode(String.self, forKey: .nonzero)
            fadedThrough = try container.decode(Int32.self, forKey: .fadedThrough)
            learnedDays = try container.decode(UInt16.self, forKey: .learnedDays)
            lastLearnedDay = try container.decode(Int32.self, forKey: .lastLearnedDay)
        }
        guard let counts = Self.counts(nonzero) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a learned routine's counts are damaged"))
        }
        self.counts = counts
    }

    /// The counts packed in `text`, or nil when it is not whole (index, count) pairs of indices in the table.
    private static func counts(_ text: String) -> [UInt16]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        var counts = [UInt16](repeating: 0, count: QuietContext.count * Bins.count)
        let bytes = [UInt8](data)
        for offset in stride(from: 0, to: bytes.count, by: 4) {
            let index = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
            guard counts.indices.contains(index) else { return nil }
            counts[index] = UInt16(bytes[offset + 2]) | UInt16(bytes[offset + 3]) << 8
        }
        return counts
    }
}

/// The log-scale bins of a quiet's length: bin 0 is under 2 min, bin i ≥ 1 starts at 2 min × 1.4^(i-1), the last
/// (from about 14 h 14 min) has no end.
enum Bins {
    static let count = 20
    static let ratio = 1.4

    static func bin(minutes: Double) -> Int {
        guard minutes >= 2 else { return 0 }
        return min(count - 1, 1 + Int((log(minutes / 2) / log(ratio)).rounded(.down)))
    }

    /// Where bin `index` starts, in minutes.
    static func lowerEdge(_ index: Int) -> Double {
        index == 0 ? 0 : 2 * pow(ratio, Double(index - 1))
    }

    static func upperEdge(_ index: Int) -> Double { 2 * pow(ratio, Double(index)) }
}
