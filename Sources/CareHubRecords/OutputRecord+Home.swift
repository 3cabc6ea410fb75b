import CareHubStore
import Foundation

extension OutputRecord {
    /// A home record, as `carehub homes list` and `homes show` print it.
    public init(home summary: HomeSummary) {
        let status = summary.holidayUntil != nil ? "away (holiday)" : summary.visitUntil != nil ? "visit"
            : summary.noData ? "no data" : summary.away ? "away" : "at home"
        fields = [
            ("home", .text(summary.id)),
            ("status", .text(status)),
            ("last_activity_at", .optionalTime(summary.lastActivityAt)),
            ("last_activity_room", .optionalText(summary.lastActivityRoom)),
            ("last_message_at", .optionalTime(summary.lastMessageAt)),
            ("gateway", .optionalText(summary.gatewayState)),
            ("open_incidents", .integer(Int64(summary.openIncidents))),
            ("devices", .integer(Int64(summary.devices))),
            ("devices_low_battery", .integer(Int64(summary.devicesLowBattery))),
            ("devices_offline", .integer(Int64(summary.devicesOffline))),
            ("possible_lost_events", .integer(Int64(summary.sequenceGaps))),
            ("away_until", .optionalTime(summary.holidayUntil ?? summary.visitUntil)),
            ("timezone", .text(summary.timeZone)),
        ]
    }
}
