import Foundation

/// What one context's histogram says: the quiet this home makes implausible there, the longest it has shown, and
/// how long its quiets usually are. Made by `LearnedRoutine.judgement(for:)`.
///
/// The plausible limit is a peaks-over-threshold estimate: above the few longest quiets the tail is taken to fall
/// off exponentially at the rate those quiets fall off, and the limit is where fewer than `falseAlarms` quiets in
/// four weeks would reach it. It is never below the longest quiet seen times a margin: a home is not alarmed for
/// what it has done before.
public struct QuietJudgement: Sendable, Equatable {
    /// Quiets (after fading) the judgement rests on.
    public var quiets: Double
    /// Minutes of quiet beyond which this home's history makes the quiet implausible.
    public var plausibleMinutes: Double
    /// About the longest quiet seen in the context (the end of its longest bin), in minutes.
    public var longestMinutes: Double
    /// Nine quiets in ten there were shorter than this, in minutes.
    public var usualMinutes: Double

    /// After how many minutes a quiet that began in `context` is raised by the learned routine: its plausible limit, never
    /// below `RuleSettings.learnedFloor`, nor after activity by the front door below `learnedEntranceFloor` (the
    /// resident may have gone out unseen). The fixed thresholds stay the ceiling.
    public func raisedAfterMinutes(in context: QuietContext, settings: RuleSettings) -> Double {
        let floor = context.place == .entrance ? max(settings.learnedFloor, settings.learnedEntranceFloor) : settings.learnedFloor
        return max(plausibleMinutes, floor / 60)
    }

    init?(bins: UnsafeBufferPointer<Double>, falseAlarms: Double, margin: Double) {
        let total = bins.reduce(0, +)
        guard total >= LearnedRoutine.minimumQuiets, let top = bins.lastIndex(where: { $0 >= 0.5 }) else { return nil }
        // tail[i]: quiets in bin i or longer (on the stack: this runs whenever a learned home's deadline moves).
        let judged: (usual: Double, plausible: Double) = withUnsafeTemporaryAllocation(of: Double.self, capacity: bins.count + 1) { tail in
            tail.initializeElement(at: bins.count, to: 0)
            for index in bins.indices.reversed() { tail.initializeElement(at: index, to: tail[index + 1] + bins[index]) }
            return Self.judge(bins: bins, tail: UnsafeBufferPointer(tail), total: total, top: top, falseAlarms: falseAlarms, margin: margin)
        }
        quiets = total
        longestMinutes = Bins.upperEdge(top)
        usualMinutes = judged.usual
        plausibleMinutes = judged.plausible
    }

    /// The usual length and the plausible limit of a context's quiets, from its bins and their tail sums.
    private static func judge(bins: UnsafeBufferPointer<Double>, tail: UnsafeBufferPointer<Double>, total: Double, top: Int,
                              falseAlarms: Double, margin: Double) -> (usual: Double, plausible: Double) {
        let longestMinutes = Bins.upperEdge(top)
        let usualMinutes = Bins.upperEdge(bins.indices.first { tail[$0 + 1] <= total * 0.1 } ?? top)
        // The few longest quiets: from the highest bin at which at least `peaks` quiets lie at or above.
        let peaks = min(8, max(2, total * 0.05))
        let start = bins.indices.last { tail[$0] >= peaks } ?? 0
        let threshold = Bins.lowerEdge(start)
        var excess = 0.0
        for index in start..<bins.count where bins[index] > 0 {
            let middle = index == 0 ? 1 : Bins.lowerEdge(index) * Bins.ratio.squareRoot()
            excess += bins[index] * max(0, middle - threshold)
        }
        let meanExcess = max(5, excess / tail[start])
        let peaksOverThreshold = threshold + meanExcess * log(max(1, tail[start] / falseAlarms))
        return (usualMinutes, max(peaksOverThreshold, longestMinutes * margin))
    }
}
