import Foundation

/// Immediate alarms (contract section 3): pendant and pull-cord, fall, smoke, carbon monoxide and flood
/// raise emergency incidents at once. A smoke or CO alarm's self-test does not. Never paused, never muted.
public struct AlarmRule: Sendable {
    public init() {}

    /// The incidents `event` raises: its alarm, and a technical `data_fault` beside it when the alarm
    /// arrived with a fault.
    public func evaluate(_ event: SensorEvent, now: Date) -> [IncidentCommand] {
        guard let kind = Self.kind(for: event) else { return [] }
        let place = event.room.map { ", \($0)" } ?? ""
        var summary = "\(Self.headline(kind: kind, type: event.type)) (device \(event.device)\(place))"
        if !event.flags.isEmpty {
            summary += "; check the device: " + event.flags.map(\.explanation).joined(separator: "; ")
        }
        var commands: [IncidentCommand] = [.raise(IncidentDraft(
            home: event.home, kind: kind, device: event.device, summary: summary, at: now,
            triggerEventID: event.id, flags: event.flags))]
        if !event.flags.isEmpty {
            commands.append(.raise(IncidentDraft(
                home: event.home, kind: .dataFault, device: event.device,
                summary: "Alarm from device \(event.device) arrived with a fault: "
                    + event.flags.map(\.explanation).joined(separator: "; "),
                at: now, triggerEventID: event.id, flags: event.flags)))
        }
        return commands
    }

    static func kind(for event: SensorEvent) -> IncidentKind? {
        switch event.type {
        case .pendant, .pullcord: .pendant
        case .fall: .fall
        case .smoke: event.value.boolean == true && !event.isTest ? .smoke : nil
        case .co: event.value.boolean == true && !event.isTest ? .co : nil
        case .water: event.value.boolean == true ? .flood : nil
        default: nil
        }
    }

    static func headline(kind: IncidentKind, type: EventType) -> String {
        switch (kind, type) {
        case (.pendant, .pullcord): "Pull-cord pulled"
        case (.pendant, _): "Pendant pressed"
        case (.fall, _): "Fall detected"
        case (.smoke, _): "Smoke alarm sounding"
        case (.co, _): "Carbon monoxide alarm sounding"
        case (.flood, _): "Water leak detected"
        default: kind.rawValue
        }
    }
}
