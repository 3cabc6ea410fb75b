import CareHubStore
import Foundation

extension OutputRecord {
    /// A home record, as `carehub homes list` and `homes show` print it.
    public init(home summary: HomeSummary) {
        fields = [
            ("home", .text(summary.id)),
            ("status", .text(summary.status)),
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

extension HomeSummary {
    /// The home's state in a word or two: away (holiday), visit, no data, away, or at home.
    public var status: String {
        holidayUntil != nil ? "away (holiday)" : visitUntil != nil ? "visit" : noData ? "no data" : away ? "away" : "at home"
    }
}
