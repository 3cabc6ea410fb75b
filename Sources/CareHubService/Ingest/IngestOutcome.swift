import CareHubCore

/// What ingesting one message did.
public enum IngestOutcome: Sendable, Equatable {
    /// A new event, with its row number; `receiptQueued` for alarms.
    case stored(seq: Int64, receiptQueued: Bool)
    /// The home already had an event with this id: nothing stored, counted (a receipt is re-sent for alarms).
    case duplicate(receiptQueued: Bool)
    case refused(code: String)
    case gatewayStatus(GatewayState)
    /// A mapped dialect's message: how many events it stored (a message may carry several readings).
    case mapped(events: Int, receiptQueued: Bool)
    /// A gateway's word on one device's availability.
    case deviceStatus(GatewayState)
    /// Nothing about the home (a bridge log, a retained state only moving baselines).
    case ignored
    /// The persistent session's copy of an alarm the live lane already handled: nothing stored, nothing sent.
    case liveCopy

    /// Whether the message held an alarm that was stored (or met its stored copy): alarms are receipted.
    public var carriedAlarm: Bool {
        switch self {
        case .stored(_, let receipt), .duplicate(let receipt), .mapped(_, let receipt): receipt
        case .liveCopy: true
        default: false
        }
    }
}
