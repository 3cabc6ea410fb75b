import CareHubCore
import Foundation
import Testing

/// `LocalClock.instant(day:minute:)` answers from its cached offset when the whole day lies between two of the
/// zone's transitions. A clock used for a long run (as in a replay) must give exactly what a new clock, which has
/// nothing cached and takes the general path, gives: on ordinary days, and on the days clocks change.
@Suite struct LocalClockFastPathTests {
    /// Two years, every day, at minutes around midnight, the changes (01:00–03:00), and in the day and night.
    @Test(arguments: ["Europe/London", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata"])
    func aWarmClockGivesWhatANewClockGives(zone: String) throws {
        var warm = try #require(LocalClock(identifier: zone))
        let firstDay = Int64(RFC3339.daysFromCivil(year: 2026, month: 1, day: 1))
        var differences: [String] = []
        for day in firstDay..<(firstDay + 730) {
            for minute in [0, 30, 60, 90, 120, 135, 150, 180, 7 * 60, 10 * 60, 23 * 60, 23 * 60 + 59] {
                var fresh = try #require(LocalClock(identifier: zone))
                let expected = fresh.instant(day: day, minute: minute)
                let actual = warm.instant(day: day, minute: minute)
                if actual != expected, differences.count < 5 {
                    differences.append("day \(day) minute \(minute): \(RFC3339.formatMilliseconds(actual)), not \(RFC3339.formatMilliseconds(expected))")
                }
            }
        }
        #expect(differences.isEmpty, "\(zone): \(differences)")
    }
}
