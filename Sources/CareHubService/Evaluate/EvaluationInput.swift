import CareHubCore
import Foundation

/// One decoded message of a recording under evaluation, at the time the hub would have received it.
struct EvaluationInput: Sendable {
    enum Message: Sendable {
        case event(SensorEvent)
        case gateway(home: String, state: GatewayState)
    }

    var time: Int64
    var message: Message

    var home: String {
        switch message {
        case .event(let event): event.home
        case .gateway(let home, _): home
        }
    }

    var isHeartbeat: Bool {
        if case .event(let event) = message { return event.type == .heartbeat }
        return false
    }

    /// Whether the message is the installation's own liveness (a heartbeat or a gateway status), which goes on after a
    /// simulated collapse.
    var isLiveness: Bool {
        if case .gateway = message { return true }
        return isHeartbeat
    }
}

/// The liveness a recording without heartbeats gets: each device seen sends a heartbeat every `interval` and the gateway
/// says it is online, over the whole recording, except where the recording itself holds nothing at all for longer
/// than `outage` (a platform outage: the gateway reports offline an hour into it, and no heartbeat is made there).
/// Their presence then says nothing about the resident: it is the same whether or not they collapse.
struct LivenessSynthesis {
    var interval: Int64 = 30 * 60_000
    var outage: Int64 = 24 * 3_600_000

    func liveness(for inputs: [EvaluationInput]) -> [EvaluationInput] {
        var byHome: [String: [EvaluationInput]] = [:]
        for input in inputs { byHome[input.home, default: []].append(input) }
        var made: [EvaluationInput] = []
        for (home, lines) in byHome.sorted(by: { $0.key < $1.key }) {
            guard !lines.contains(where: \.isHeartbeat), let first = lines.first?.time, let last = lines.last?.time else { continue }
            var devices: [String] = []
            for case .event(let event) in lines.map(\.message) where !devices.contains(event.device) { devices.append(event.device) }
            made.append(EvaluationInput(time: first - 1, message: .gateway(home: home, state: .online)))
            func heartbeats(after start: Int64, through end: Int64) {
                // On a grid from the first line, so that where they fall says nothing about the lines around them.
                var tick = first + ((start - first) / interval + 1) * interval
                while tick <= end {
                    for (offset, device) in devices.enumerated() {
                        let event = SensorEvent(home: home, device: device, id: "synthetic-\(device)-\(tick)", type: .heartbeat,
                                                timestamp: Date(millisecondsSince1970: tick + Int64(offset)))
                        made.append(EvaluationInput(time: tick + Int64(offset), message: .event(event)))
                    }
                    tick += interval
                }
            }
            var from = first
            for gap in outages(in: lines) {
                // A platform outage: heartbeats for an hour, then the gateway says it is offline until data returns.
                heartbeats(after: from, through: gap.lowerBound + 3_600_000)
                made.append(EvaluationInput(time: gap.lowerBound + 3_600_001, message: .gateway(home: home, state: .offline)))
                made.append(EvaluationInput(time: gap.upperBound - 1, message: .gateway(home: home, state: .online)))
                from = gap.upperBound
            }
            heartbeats(after: from, through: last)
        }
        return made
    }

    /// The stretches longer than `outage` in which `lines` (one home's, in time order) hold nothing at all, from the last
    /// line before each to the first after it: where the liveness made says the platform was down, and the days an
    /// evaluation leaves out of its count (`HomeEvaluation.gaps`).
    func outages(in lines: [EvaluationInput]) -> [Range<Int64>] {
        zip(lines, lines.dropFirst()).compactMap { before, after in after.time - before.time > outage ? before.time..<after.time : nil }
    }
}
