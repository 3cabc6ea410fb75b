import CareHubCore
import CareHubStore
import Foundation

extension OutputRecord {
    /// The contract's incident record (section 5), plus the hub's own fields.
    init(incident: IncidentRecord, now: Date) {
        fields = [
            ("id", .integer(incident.id)),
            ("priority", .text(incident.priority.rawValue)),
            ("kind", .text(incident.kind)),
            ("home", .text(incident.home)),
            ("device", .optionalText(incident.device)),
            ("state", .text(incident.state.rawValue)),
            ("age", .text(RecordPrinter.age(from: incident.openedAt, to: incident.resolvedAt ?? now))),
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

    init(timeline entry: TimelineEntry) {
        fields = [
            ("at", .time(entry.at)),
            ("actor", .text(entry.actor)),
            ("action", .text(entry.action)),
            ("note", .optionalText(entry.note)),
            ("details", entry.details.map(OutputValue.json) ?? .null),
        ]
    }

    /// The contract's event record (section 5).
    init(event record: EventRecord) {
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
