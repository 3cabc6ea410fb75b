import CareHubCore
import CareHubService
import CareHubStore
import Foundation

extension OutputRecord {
    /// The hub's counts, as `carehub status --format json` prints them and `GET /api/v1/status` answers them: events
    /// stored and refused, incidents by state, devices by health, the outbox, gateways at QoS 0 or held to their limits
    /// in the last 7 days, and the database's size and free disk.
    public static func status(of database: HubDatabase, now: Date = Date()) throws -> OutputRecord {
        let status = try HubStatus.read(from: database)
        let databaseBytes = DiskUsage.databaseBytes(path: database.path)
        func counts(_ dictionary: [String: Int], order: [String]) -> OutputValue {
            .json("{" + order.map { JSONText.quoted($0) + ":" + String(dictionary[$0] ?? 0) }.joined(separator: ",") + "}")
        }
        let gateways = try GatewayTraffic(database: database).recent(since: now.addingTimeInterval(-7 * 86_400))
        let counters: [(name: String, value: OutputValue)] = [
            ("events_stored", .integer(Int64(status.eventsStored))),
            ("events_refused", .integer(Int64(status.eventsRefused))),
            ("duplicates_ignored", .integer(Int64(status.duplicatesIgnored))),
            ("incidents", counts(status.incidentsByState, order: IncidentState.allCases.map(\.rawValue))),
            ("devices", counts(status.devicesByHealth, order: ["ok", "low_battery", "offline", "never_seen"])),
            ("homes", .integer(Int64(status.homes))),
        ]
        let times: [(name: String, value: OutputValue)] = [
            ("last_event_at", .optionalTime(status.lastEventAt)),
            ("last_commit_at", .optionalTime(status.lastCommitAt)),
            ("last_hub_start", .optionalTime(status.lastHubStart)),
        ]
        let outbox: [(name: String, value: OutputValue)] = [
            ("outbox_pending", .integer(Int64(status.outboxPending))),
            ("outbox_failing", .integer(Int64(status.outboxFailing))),
            ("outbox_failing_targets", .json("[" + status.outboxFailingTargets.map { JSONText.quoted($0.label) }.joined(separator: ",") + "]")),
            ("outbox_oldest", .optionalTime(status.oldestUndelivered)),
        ]
        let storage: [(name: String, value: OutputValue)] = [
            ("gateways", .json("[" + gateways.map(gatewayJSON).joined(separator: ",") + "]")),
            ("database", .text(database.path)),
            ("database_bytes", databaseBytes.map { .integer($0) } ?? .null),
            ("disk_free_bytes", database.freeBytes.map { .integer($0) } ?? .null),
        ]
        return OutputRecord(fields: counters + times + outbox + storage)
    }

    /// A gateway that sent at QoS 0 (lost while the hub is down, unless the broker queues it) or was held to its
    /// limits in the last 7 days.
    static func gatewayJSON(_ row: GatewayTraffic.Row) -> String {
        JSONText.object([
            ("dialect", JSONText.quoted(row.sender.dialect)), ("home", row.sender.home.isEmpty ? "null" : JSONText.quoted(row.sender.home)),
            ("qos0_messages", String(row.qos0Messages)), ("qos0_alarms", String(row.qos0Alarms)),
            ("over_limit_kept", String(row.quotaKept)), ("over_limit_counted", String(row.quotaCounted)),
            ("refused_bytes", String(row.refusedBytes)), ("last_day", JSONText.quoted(RFC3339.format(row.day))),
        ])
    }
}

/// The database's size on disk, with its WAL.
public enum DiskUsage {
    public static func databaseBytes(path: String) -> Int64? {
        let sizes = ["", "-wal"].compactMap { suffix in
            (try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? Int64
        }
        return sizes.isEmpty ? nil : sizes.reduce(0, +)
    }
}
