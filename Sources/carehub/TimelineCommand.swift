import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct TimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "One day of a home, hour by hour: activity per room as a heat map, with incidents marked.",
        discussion: """
            Shading: · none, ░ 1–2, ▒ 3–5, ▓ 6–10, █ more activity events in the hour (movement seen, doors, bed,
            chair, appliances). ! marks the hour an incident was raised. Hours are the home's local time.

            Examples:
              carehub timeline flat-12
              carehub timeline flat-12 --date 2026-11-28
              carehub timeline flat-12 --format csv
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "The home.") var home: String
    @Option(help: ArgumentHelp("The local day (default: today).", valueName: "YYYY-MM-DD")) var date: String?

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        try HomeQueries(database: db).requireKnown(home)
        let zone = configuration.rules.settings(for: home).timeZone
        var clock = LocalClock(identifier: zone) ?? LocalClock(timeZone: .gmt)
        let day: Int64
        if let date {
            let parts = date.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else {
                throw ValidationError("--date \"\(date)\" is not a date like 2026-11-28.")
            }
            day = Int64(RFC3339.daysFromCivil(year: parts[0], month: parts[1], day: parts[2]))
        } else {
            day = clock.localDay(at: Date().millisecondsSince1970)
        }
        let start = Date(millisecondsSince1970: clock.instant(day: day, minute: 0))
        let end = Date(millisecondsSince1970: clock.instant(day: day + 1, minute: 0))
        var counts: [String: [Int]] = [:]
        for activity in try HomeQueries(database: db).activityByRoomAndHour(home: home, from: start, to: end) {
            let hour = clock.minuteOfDay(at: activity.at.millisecondsSince1970) / 60
            counts[activity.room, default: Array(repeating: 0, count: 24)][hour] += 1
        }
        let incidents = try IncidentQueries(database: db).list(IncidentFilter(states: nil, home: home, since: start))
            .filter { $0.openedAt < end }
        let rooms = counts.keys.sorted { (counts[$0]?.reduce(0, +) ?? 0, $1) > (counts[$1]?.reduce(0, +) ?? 0, $0) }
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: zone)
        switch printer.format {
        case .json, .csv:
            var records: [OutputRecord] = []
            for room in rooms {
                for hour in 0..<24 where (counts[room]?[hour] ?? 0) > 0 {
                    records.append(OutputRecord(fields: [("room", .text(room)), ("hour", .integer(Int64(hour))), ("activity", .integer(Int64(counts[room]?[hour] ?? 0)))]))
                }
            }
            printer.printList(records, empty: "")
        case .table:
            let (year, month, dayOfMonth) = RFC3339.civilFromDays(Int(day))
            print("\(home), \(String(format: "%04d-%02d-%02d", year, month, dayOfMonth)) (\(zone))")
            let width = max(9, rooms.map(\.count).max() ?? 0)
            print("".padding(toLength: width, withPad: " ", startingAt: 0) + " " + (0..<24).map { String(format: "%02d", $0) }.joined(separator: " "))
            if rooms.isEmpty { print("(no activity recorded)") }
            for room in rooms {
                let cells = (0..<24).map { Self.shade(counts[room]?[$0] ?? 0) }
                print(room.padding(toLength: width, withPad: " ", startingAt: 0) + " " + cells.map { String(repeating: $0, count: 2) }.joined(separator: " "))
            }
            var marks = Array(repeating: "  ", count: 24)
            for incident in incidents { marks[clock.minuteOfDay(at: incident.openedAt.millisecondsSince1970) / 60] = "! " }
            print("incidents".padding(toLength: width, withPad: " ", startingAt: 0) + " " + marks.joined(separator: " "))
            for incident in incidents {
                print("  \(clock.timeText(incident.openedAt.millisecondsSince1970))  #\(incident.id) \(incident.kind) (\(incident.state.rawValue)): \(incident.summary)")
            }
        }
    }

    static func shade(_ count: Int) -> String {
        switch count {
        case 0: "·"
        case 1...2: "░"
        case 3...5: "▒"
        case 6...10: "▓"
        default: "█"
        }
    }
}
