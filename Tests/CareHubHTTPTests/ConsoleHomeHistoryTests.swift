import CareHubCore
import CareHubHTTP
import CareHubStore
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

/// A home's page shows the last four weeks from the rules' saved daily history.
@Suite struct ConsoleHomeHistoryTests {
    /// Saves a rule state for `home` whose daily history holds `days` (day, activity, night visits, kitchen uses,
    /// minute up, minutes in bed, outings, and optionally minutes away and bedtime), as the rules service would have saved it.
    static func saveHistory(_ fixture: HTTPFixture, home: String, days: [[Int]]) throws {
        var state = HomeRuleState(firstSeenAt: Date().millisecondsSince1970)
        // Counted days are made only by the rules; these are read from the keyed form earlier versions saved, with the
        // days as arrays of numbers, and saved in today's form.
        let earlier: [String: Any] = [
            "days": days, "today": [(days.last?.first ?? 0) + 1, 0, 0, 0, -1, 0, 0], "visitsTowardTomorrow": 0,
            "lastRaised": Array(repeating: Int(Int32.min), count: RoutineTrend.allCases.count),
        ]
        state.history = try JSONDecoder().decode(DailyHistory.self, from: JSONSerialization.data(withJSONObject: earlier))
        let text = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try fixture.database.writer.write { db in
            try db.execute(sql: "INSERT INTO rule_states (home_id, state, updated_at) VALUES (?, ?, ?)",
                           arguments: [home, text, Date().millisecondsSince1970])
        }
    }

    @Test func aHomesPageShowsTheLastFourWeeksFromTheSavedDailyHistory() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.receive(HomeAndReadingRoutesTests.motion("m1", at: Date()))
        // 30 days from 2026-11-01 (day 20,758): only the last 28 are shown, newest first.
        // The last number: on the bed pad for the night at 23:00 or 23:20 (minutes after 18:00).
        let days = (0..<30).map { [20_758 + $0, 100 + $0, $0 % 3, 2, 7 * 60 + $0, $0 == 29 ? 450 : 0, 0, 0, 300 + ($0 % 2) * 20] }
        try Self.saveHistory(fixture, home: "flat-12", days: days)
        #expect(try RulesStore(database: fixture.database).state(of: "flat-12")?.history?.days.count == 30)
        try await fixture.test { client in
            let session = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let page = try await session.get(client, "/homes/flat-12").text
            #expect(page.contains(#"<th scope="col">Night toilet visits</th>"#))
            let newest = try #require(page.range(of: "<td data-label=\"Day\">Mon 30 Nov</td><td data-label=\"Activity\">129</td>"))
            let older = try #require(page.range(of: "<td data-label=\"Day\">Tue 3 Nov</td>"))
            #expect(newest.lowerBound < older.lowerBound, "newest first")
            #expect(!page.contains("Sun 1 Nov") && !page.contains("Mon 2 Nov"), "four weeks, not more")
            #expect(page.contains(#"<td data-label="Up and about">07:29</td>"#))
            #expect(page.contains(#"<td data-label="Time in bed">7 h 30 min</td>"#))
            #expect(page.contains(#"<dd data-field="usual-bedtime">23:00</dd>"#), "the median bedtime; no check, the routine not in use")
            #expect(page.matches(of: /<rect x="\d+" y="\d+" width="14"/).count == 28, "one bar a day")
        }
    }

    /// A home's page says whether its learned routine is used, how long the home is normally quiet where it has learned
    /// enough, and after how long the rules raise there: the numbers a carer checks an inactivity incident against.
    @Test func aHomesPageShowsItsLearnedRoutine() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.receive(HomeAndReadingRoutesTests.motion("m1", at: Date()))
        var state = HomeRuleState(firstSeenAt: Date().millisecondsSince1970)
        var routine = LearnedRoutine(startDay: 20_758)
        let kitchenMornings = QuietContext(place: .kitchen, part: .morning)
        for day in 20_758..<20_768 {
            for quiet in 0..<4 {
                routine.learn(quiet: Int64(5 + quiet * 3) * 60_000, in: kitchenMornings, day: Int64(day))
                routine.learn(quiet: 2 * 60_000, in: QuietContext(place: .entrance, part: .morning), day: Int64(day))
            }
        }
        state.routine = routine
        let text = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        try await fixture.database.writer.write { db in
            try db.execute(sql: "INSERT INTO rule_states (home_id, state, updated_at) VALUES (?, ?, ?)",
                           arguments: ["flat-12", text, Date().millisecondsSince1970])
        }
        try await fixture.test { client in
            let session = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let page = try await session.get(client, "/homes/flat-12").text
            #expect(page.contains(#"<h2 id="routine">Learned routine</h2>"#))
            #expect(page.contains("In use: learned over 10 days."), "\(page)")
            #expect(page.contains(#"<dd data-field="usual-bedtime">not seen (no bed pad)</dd>"#))
            let row = try #require(page.firstMatch(of: /<tr><td data-label="When">after kitchen activity in the morning<\/td>[^<]*(<td[^>]*>[^<]*<\/td>\s*)+<\/tr>/))
            let cells = String(row.output.0)
            #expect(cells.contains(#"<td data-label="Quiets learned">"#))
            #expect(cells.contains(#"<td data-label="Raised after">1 h 0 min</td>"#), "the floor (60 min) where the home's quiets are short: \(cells)")
            #expect(!page.contains("after bathroom or toilet activity"), "a place without 20 quiets is not shown")
            let hall = try #require(page.firstMatch(of: /<tr><td data-label="When">after activity by the front door in the morning<\/td>[^<]*(<td[^>]*>[^<]*<\/td>\s*)+<\/tr>/))
            #expect(String(hall.output.0).contains(#"<td data-label="Raised after">2 h 0 min</td>"#), "not before the entrance floor after the front door")
            #expect(page.contains("Trends: after 21 counted days"))
        }
    }

    @Test func aHomeStillLearningSaysSoAndThatTheFixedThresholdsApply() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.receive(HomeAndReadingRoutesTests.motion("m1", at: Date()))
        try await fixture.test { client in
            let session = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let page = try await session.get(client, "/homes/flat-12").text
            #expect(page.contains("Learning: 0 of 7 days so far; the fixed thresholds apply until then."))
            #expect(page.contains("not learned yet"))
        }
    }
}
