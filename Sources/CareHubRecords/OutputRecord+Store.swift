import CareHubCore
import CareHubStore
import Foundation

extension OutputRecord {
    /// The contract's incident record (section 5), plus the hub's own fields.
    public init(incident: IncidentRecord, now: Date) {
        fields = [
            ("id", .integer(incident.id)),
            ("priority", .text(incident.priority.rawValue)),
            ("kind", .text(incident.kind)),
            ("home", .text(incident.home)),
            ("device", .optionalText(incident.device)),
            ("state", .text(incident.state.rawValue)),
            ("age", .text(OutputRecord.age(from: incident.openedAt, to: incident.resolvedAt ?? now))),
            ("opened_at", .time(incident.openedAt)),
            ("acknowledged_at", .optionalTime(incident.acknowledgedAt)),
            ("acknowledged_by", .optionalText(incident.acknowledgedBy)),
            ("resolved_at", .optionalTime(incident.resolvedAt)),
            ("resolved_by", .optionalText(incident.resolvedBy)),
            ("outcome", .optionalText(incident.outcome)),
            ("triggers", .integer(Int64(incident.triggerCount))),
            ("last_triggered_at", .time(incident.lastTriggeredAt)),
            ("trigger_event", .optionalText(incident.triggerEventID)),
            ("escalation_level", .integer(Int64(incident.escalationLevel))),
            ("assigned_to", .optionalText(incident.assignedTo)),
            ("flags", .optionalText(incident.flags.isEmpty ? nil : incident.flags.joined(separator: ","))),
            ("summary", .text(incident.summary)),
        ]
    }

    public init(timeline entry: TimelineEntry) {
        fields = [
            ("at", .time(entry.at)),
            ("actor", .text(entry.actor)),
            ("action", .text(entry.action)),
            ("note", .optionalText(entry.note)),
            ("details", entry.details.map(OutputValue.json) ?? .null),
        ]
    }

    /// The contract's event record (section 5).
    public init(event record: EventRecord) {
        let event = record.event
        fields = [
            ("id", .text(event.id)),
            ("home", .text(event.home)),
            ("device", .text(event.device)),
            ("type", .text(event.type.rawValue)),
            ("value", .json(event.value.jsonText)),
            ("ts", .time(event.timestamp)),
            ("received_at", .time(record.receivedAt)),
            ("room", .optionalText(event.room)),
            ("battery", event.battery.map(OutputValue.number) ?? .null),
            ("seq", event.sequence.map(OutputValue.integer) ?? .null),
            ("test", .boolean(event.isTest)),
            ("flags", .optionalText(event.flags.isEmpty ? nil : event.flags.map(\.code).joined(separator: ","))),
        ]
    }
}

extension OutputRecord {
    /// How long ago, shortly: "45s", "12m", "3h05m", "2d4h".
    public static func age(from date: Date, to now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86_400: return String(format: "%dh%02dm", seconds / 3600, seconds / 60 % 60)
        default: return "\(seconds / 86_400)d\(seconds / 3600 % 24)h"
        }
    }
}
