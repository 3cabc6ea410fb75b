import ArgumentParser
import CareHubCore
import CareHubService
import CareHubStore
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Counts: events stored and refused, incidents by state, devices by health, gateways at QoS 0 or over limits, last event, disk.",
        discussion: """
            Examples:
              carehub status
              carehub status --format json
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        let status = try HubStatus.read(from: db)
        let databaseBytes = DiskUsage.databaseBytes(path: db.path)
        func counts(_ dictionary: [String: Int], order: [String]) -> OutputValue {
            .json("{" + order.map { JSONText.quoted($0) + ":" + String(dictionary[$0] ?? 0) }.joined(separator: ",") + "}")
        }
        let record = OutputRecord(fields: [
            ("events_stored", .integer(Int64(status.eventsStored))),
            ("events_refused", .integer(Int64(status.eventsRefused))),
            ("duplicates_ignored", .integer(Int64(status.duplicatesIgnored))),
            ("incidents", counts(status.incidentsByState, order: IncidentState.allCases.map(\.rawValue))),
            ("devices", counts(status.devicesByHealth, order: ["ok", "low_battery", "offline", "never_seen"])),
            ("homes", .integer(Int64(status.homes))),
            ("last_event_at", .optionalTime(status.lastEventAt)),
            ("last_commit_at", .optionalTime(status.lastCommitAt)),
            ("last_hub_start", .optionalTime(status.lastHubStart)),
            ("outbox_pending", .integer(Int64(status.outboxPending))),
            ("outbox_failing", .integer(Int64(status.outboxFailing))),
            ("outbox_failing_targets", .json("[" + status.outboxFailingTargets.map { JSONText.quoted($0.label) }.joined(separator: ",") + "]")),
            ("outbox_oldest", .optionalTime(status.oldestUndelivered)),
            ("gateways", .json("[" + (try GatewayTraffic(database: db).recent(since: Date().addingTimeInterval(-7 * 86_400))).map(Self.json).joined(separator: ",") + "]")),
            ("database", .text(db.path)),
            ("database_bytes", databaseBytes.map { .integer($0) } ?? .null),
            ("disk_free_bytes", db.freeBytes.map { .integer($0) } ?? .null),
        ])
        RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone).printObject(record)
    }

    /// A gateway that sent at QoS 0 (lost while the hub is down, unless the broker queues it) or was held to its
    /// limits in the last 7 days.
    static func json(_ row: GatewayTraffic.Row) -> String {
        JSONText.object([
            ("dialect", JSONText.quoted(row.sender.dialect)), ("home", row.sender.home.isEmpty ? "null" : JSONText.quoted(row.sender.home)),
            ("qos0_messages", String(row.qos0Messages)), ("qos0_alarms", String(row.qos0Alarms)),
            ("over_limit_kept", String(row.quotaKept)), ("over_limit_counted", String(row.quotaCounted)),
            ("refused_bytes", String(row.refusedBytes)), ("last_day", JSONText.quoted(RFC3339.format(row.day))),
        ])
    }
}

/// The database's size on disk, with its WAL.
enum DiskUsage {
    static func databaseBytes(path: String) -> Int64? {
        let sizes = ["", "-wal"].compactMap { suffix in
            (try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? Int64
        }
        return sizes.isEmpty ? nil : sizes.reduce(0, +)
    }
}
