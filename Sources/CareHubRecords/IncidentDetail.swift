import CareHubCore
import CareHubService
import CareHubStore
import Foundation

/// One incident with what explains it: the event that triggered it, what the home did in the two hours before,
/// every notification sent about it, and its timeline. `carehub incidents show` prints it and
/// `GET /api/v1/incidents/{id}` answers it, from the same record.
public struct IncidentDetail: Sendable {
    public var incident: IncidentRecord
    public var trigger: EventRecord?
    /// How many messages the home sent in the two hours before the incident opened (all of them, quiet ones too).
    public var messagesBefore: Int
    /// What the resident did (and alarms) in those two hours, not the devices' heartbeats and readings; the last 40.
    public var eventsBefore: [EventRecord]
    public var notifications: [NotificationRecord]
    public var timeline: [TimelineEntry]

    /// Reads the incident and what explains it; a `StoreError` of kind `notFound` for an unknown id.
    public static func load(_ id: Int64, from database: HubDatabase) throws -> IncidentDetail {
        let queries = IncidentQueries(database: database)
        let incident = try queries.find(id)
        let timeline = try queries.timeline(id)
        let events = EventQueries(database: database)
        let trigger = try incident.triggerEventID.flatMap { try events.find(home: incident.home, id: $0) }
        let window = try events.window(home: incident.home, from: incident.openedAt.addingTimeInterval(-2 * 3600),
                                       to: incident.openedAt.addingTimeInterval(0.001), limit: 5_000)
        let quiet: Set<EventType> = [.heartbeat, .temperature, .battery]
        let before = Array(window.filter { !quiet.contains($0.event.type) && !($0.event.type == .motion && $0.event.value == .boolean(false)) }.suffix(40))
        let notifications = try OutboxStore(database: database).notifications(incident: id)
        return IncidentDetail(incident: incident, trigger: trigger, messagesBefore: window.count, eventsBefore: before,
                              notifications: notifications, timeline: timeline)
    }

    public var timelineRecords: [OutputRecord] { timeline.map(OutputRecord.init(timeline:)) }
    public var eventsBeforeRecords: [OutputRecord] { eventsBefore.map(OutputRecord.init(event:)) }
    public var notificationRecords: [OutputRecord] {
        notifications.map { note in
            OutputRecord(fields: [
                ("channel", .text(note.channel)), ("target", .text(note.target.name)), ("state", .text(note.state)), ("queued_at", .time(note.createdAt)),
                ("delivered_at", .optionalTime(note.deliveredAt)), ("attempts", .integer(Int64(note.attempts))), ("last_error", .optionalText(note.lastError)),
            ])
        }
    }

    /// The incident record with `trigger`, `events_before`, `notifications` and `timeline` added: `incidents show --format json`.
    public func record(now: Date) -> OutputRecord {
        var record = OutputRecord(incident: incident, now: now)
        record.fields.append(("trigger", trigger.map { .json(OutputRecord(event: $0).jsonText) } ?? .null))
        record.fields.append(("events_before", .json("[" + eventsBeforeRecords.map(\.jsonText).joined(separator: ",") + "]")))
        record.fields.append(("notifications", .json("[" + notificationRecords.map(\.jsonText).joined(separator: ",") + "]")))
        record.fields.append(("timeline", .json("[" + timelineRecords.map(\.jsonText).joined(separator: ",") + "]")))
        return record
    }
}
