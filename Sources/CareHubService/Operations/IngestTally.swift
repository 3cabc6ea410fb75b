/// What one burst stored and refused, added up on the MQTT thread as its outcomes are reported and handed to
/// `HubMetrics.recordBurst` once, after the commit: the per-message cost is an integer addition.
public struct IngestTally: Sendable, Equatable {
    /// Events stored (a mapped message may store several).
    public var stored = 0
    /// Messages refused, by refusal code; usually empty.
    public var refused: [String: Int] = [:]

    public init() {}

    /// Adds one message's outcome.
    public mutating func add(_ outcome: IngestOutcome) {
        switch outcome {
        case .stored: stored += 1
        case .mapped(let events, _): stored += events
        case .refused(let code): refused[code, default: 0] += 1
        case .duplicate, .gatewayStatus, .deviceStatus, .ignored, .liveCopy: break
        }
    }
}
