import ArgumentParser
import CareHubCore
import CareHubRecords
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
        RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone).printObject(try OutputRecord.status(of: db))
    }
}
