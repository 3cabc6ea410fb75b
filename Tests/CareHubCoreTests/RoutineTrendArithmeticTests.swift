@testable import CareHubCore
import Testing

/// The trend tests themselves (`RoutineTrend.finding`) on days made by hand: what each one calls a change.
@Suite struct RoutineTrendArithmeticTests {
    /// A day with `activity` events and `awayMinutes` out of the home.
    static func day(_ index: Int, activity: Int, awayMinutes: Int = 0) -> DaySummary {
        var day = DaySummary(day: Int64(20_000 + index))
        day.activity = UInt16(activity)
        day.awayMinutes = UInt16(awayMinutes)
        return day
    }

    /// Four weeks of 200 ± 10 a day at home.
    static let usualWeeks = (0..<28).map { day($0, activity: 190 + ($0 % 3) * 10) }

    @Test func activityDownAFifthAtHomeIsRaisedWithItsNumbers() throws {
        let recent = (28..<35).map { Self.day($0, activity: 160) }
        let summary = try #require(RoutineTrend.activityFalling.finding(recent: recent, baseline: Self.usualWeeks))
        #expect(summary == "Activity at home: 160 movements a day this week, 200 over the previous 4 weeks (-20 %); "
            + "time out of the home is not counted.")
    }

    @Test func aWeekOfLongOutingsIsNotAFallInActivity() {
        // Out six hours a day: a quarter fewer movements, at the usual rate while at home.
        let recent = (28..<35).map { Self.day($0, activity: 150, awayMinutes: 360) }
        #expect(RoutineTrend.activityFalling.finding(recent: recent, baseline: Self.usualWeeks) == nil)
    }

    @Test func lessActivityAtHomeOnDaysOutIsStillAFall() throws {
        // Out six hours a day and, at home, a fifth less active than usual.
        let recent = (28..<35).map { Self.day($0, activity: 120, awayMinutes: 360) }
        let summary = try #require(RoutineTrend.activityFalling.finding(recent: recent, baseline: Self.usualWeeks))
        #expect(summary.hasPrefix("Activity at home: 160 movements a day this week"), "\(summary)")
    }

    @Test func aWeekWithinTheUsualSpreadIsNotATrend() {
        let recent = (28..<35).map { Self.day($0, activity: 185) }
        #expect(RoutineTrend.activityFalling.finding(recent: recent, baseline: Self.usualWeeks) == nil)
    }
}
