import ArgumentParser
import CareHubCore
import CareHubService
import CareHubStore
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Counts: events stored and refused, incidents by state, devices by health, last event, disk.",
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
            ("outbox_oldest", .optionalTime(status.oldestUndelivered)),
            ("database", .text(db.path)),
            ("database_bytes", databaseBytes.map { .integer($0) } ?? .null),
            ("disk_free_bytes", db.freeBytes.map { .integer($0) } ?? .null),
        ])
        RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone).printObject(record)
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
