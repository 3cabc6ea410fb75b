import Foundation

/// What is wrong with a device right now, for `carehub devices list --unhealthy`: silent for longer than it
/// may be, reported offline by its gateway, battery low, radio link weak, or events possibly lost upstream.
public struct DeviceHealth: Sendable, Equatable {
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case silent(since: Date)
        case reportedOffline
        case lowBattery(Double)
        case weakLink(Double)
        case possibleLostEvents(Int64)

        public var description: String {
            switch self {
            case .silent: "silent"
            case .reportedOffline: "reported offline"
            case .lowBattery(let level): "battery \(JSONText.number(level))%"
            case .weakLink(let quality): "weak link (\(JSONText.number(quality)))"
            case .possibleLostEvents(let count): "\(count) possibly lost"
            }
        }
    }

    /// A link quality below this (Zigbee LQI, 0–255) is weak: messages start to go missing.
    public static let weakLinkBelow = 20.0

    public var problems: [Problem]

    public var isHealthy: Bool { problems.isEmpty }

    /// `allowedSilence`: the device's offline allowance (`RuleSettings.offlineAfter`, registry overrides applied).
    public init(lastSeenAt: Date?, registeredAt: Date, battery: Double?, linkQuality: Double?, availability: String?, possibleLostEvents: Int64,
                allowedSilence: TimeInterval, lowBatteryAt: Double, now: Date) {
        var problems: [Problem] = []
        let heard = lastSeenAt ?? registeredAt
        if now.timeIntervalSince(heard) > allowedSilence { problems.append(.silent(since: heard)) }
        if availability == GatewayState.offline.rawValue { problems.append(.reportedOffline) }
        if let battery, battery <= lowBatteryAt { problems.append(.lowBattery(battery)) }
        if let linkQuality, linkQuality < Self.weakLinkBelow { problems.append(.weakLink(linkQuality)) }
        if possibleLostEvents > 0 { problems.append(.possibleLostEvents(possibleLostEvents)) }
        self.problems = problems
    }
}
