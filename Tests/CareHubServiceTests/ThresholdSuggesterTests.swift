import CareHubCore
import CareHubService
import Foundation
import Testing

/// Per-home thresholds suggested from a home's own events (issue 12): the first value on the ladder that would have
/// raised the kind at most once a month, never one for a kind that was a real emergency, none past the ceiling.
@Suite struct ThresholdSuggesterTests {
    static let start = RFC3339.parseMilliseconds("2026-11-02T00:00:00Z") ?? 0

    /// `days` of a home (UTC is Europe/London's local time in November): a heartbeat every 30 min, bed at 22:00, stirring
    /// in the bedroom every hour from 07:00, up at `upAt(day)` minutes after midnight, then kitchen and lounge activity
    /// every 15 min until 21:45.
    static func home(days: Int, upAt: (Int) -> Int) -> [ReplayLine] {
        var lines: [ReplayLine] = []
        func add(_ minute: Int, day: Int, device: String, _ body: String) {
            let time = start + Int64(day) * 86_400_000 + Int64(minute) * 60_000
            let payload = #"{"id":"e\#(lines.count)","ts":"\#(RFC3339.formatMilliseconds(time))",\#(body)}"#
            lines.append(ReplayLine(time: time, topic: "carehub/v1/flat-1/\(device)/event", payload: Array(payload.utf8), lineNumber: lines.count + 1))
        }
        for day in 0..<days {
            for half in 0..<48 { add(half * 30 + 1, day: day, device: "temp-lounge", #""type":"heartbeat","room":"lounge""#) }
            for hour in stride(from: 7 * 60, to: upAt(day), by: 60) {
                add(hour, day: day, device: "pir-bedroom", #""type":"motion","value":true,"room":"bedroom""#)
            }
            var minute = upAt(day)
            while minute <= 21 * 60 + 45 {
                let room = minute < 12 * 60 ? "kitchen" : "lounge"
                add(minute, day: day, device: "pir-\(room)", #""type":"motion","value":true,"room":"\#(room)""#)
                minute += 15
            }
            add(22 * 60, day: day, device: "pir-bedroom", #""type":"motion","value":true,"room":"bedroom""#)
        }
        return lines
    }

    static func suggester(_ lines: [ReplayLine], days: Int, emergencies: Set<IncidentKind> = []) -> ThresholdSuggester {
        ThresholdSuggester(home: "flat-1", settings: RuleSettingsBook(), lines: lines,
                           until: Date(millisecondsSince1970: start + Int64(days) * 86_400_000), days: days, emergencies: emergencies)
    }

    static func notUp(_ result: (suggestions: [ThresholdSuggester.Suggestion], urgentNow: Int, urgentSuggested: Int)) throws
        -> ThresholdSuggester.Suggestion {
        try #require(result.suggestions.first { $0.threshold == .notUpCheck })
    }

    @Test func aLateRiserIsSuggestedTheFirstCheckThatWouldHaveRaisedAtMostOnce() throws {
        // Up between 10:20 and 10:50, every day for four weeks.
        let result = try Self.suggester(Self.home(days: 28) { 10 * 60 + 20 + ($0 % 4) * 10 }, days: 28).suggest()
        let notUp = try Self.notUp(result)
        #expect(notUp.current == "10:00")
        #expect(notUp.raisedNow >= 25, "raised nearly every morning at 10:00: \(notUp.raisedNow)")
        #expect(notUp.suggested == "11:00", "10:45 would still raise on the 10:50 mornings: \(notUp.reason)")
        #expect(notUp.raisedSuggested.map { $0 <= 1 } == true)
        #expect(result.urgentSuggested < result.urgentNow)
        #expect(result.suggestions.filter { $0.threshold != .notUpCheck }.allSatisfy { $0.suggested == nil }, "nothing else raised")
    }

    @Test func aKindThatWasARealEmergencyIsNeverLoosened() throws {
        let lines = Self.home(days: 28) { 10 * 60 + 20 + ($0 % 4) * 10 }
        let notUp = try Self.notUp(try Self.suggester(lines, days: 28, emergencies: [.notUp]).suggest())
        #expect(notUp.raisedNow >= 25)
        #expect(notUp.suggested == nil)
        #expect(notUp.reason.contains("real emergency"), "\(notUp.reason)")
    }

    @Test func anEarlyRiserIsLeftAsItIs() throws {
        let result = try Self.suggester(Self.home(days: 28) { _ in 7 * 60 + 30 }, days: 28).suggest()
        #expect(result.suggestions.allSatisfy { $0.suggested == nil && $0.raisedNow <= 1 }, "\(result.suggestions.map(\.reason))")
        #expect(result.urgentNow == result.urgentSuggested)
    }

    @Test func noCheckPastNoonIsSuggested() throws {
        // Up at 12:40 each day: past the ladder's last step, 12:00.
        let notUp = try Self.notUp(try Self.suggester(Self.home(days: 28) { _ in 12 * 60 + 40 }, days: 28).suggest())
        #expect(notUp.raisedNow >= 25)
        #expect(notUp.suggested == nil)
        #expect(notUp.reason.contains("still more than once at 12:00"), "\(notUp.reason)")
    }

    @Test func theEvaluationTakesTheSuggestionMadeAfterFourWeeksLearnedAndCountsOnlyAfterIt() throws {
        let results = try Evaluator(settings: RuleSettingsBook(), collapses: 10, seed: 1)
            .evaluate(Self.home(days: 50) { 10 * 60 + 20 + ($0 % 4) * 10 })
        let learned = try #require(results.first { $0.label == "learned" })
        let suggested = try #require(results.first { $0.label == "learned+suggested" })
        let learnedAt = try #require(learned.learnedAt)
        #expect(suggested.suggestedSettings == ["not_up_check": "11:00"])
        #expect(suggested.countedFrom == learnedAt.addingTimeInterval(28 * 86_400), "counted only after the suggestion was taken")
        #expect(learned.falseUrgent.count >= 30, "the late riser is raised every morning at 10:00: \(learned.falseUrgent.count)")
        #expect(suggested.falseUrgent.count <= 1, "\(suggested.falseUrgent.map(\.at))")
        #expect(suggested.delays.count == learned.delays.count, "the same collapses")
    }

    @Test func monthlyReviewsTakeTheSuggestionsAgainWhenTheRoutineMovesAndCountEachPeriodWithItsOwn() throws {
        // Up between 10:20 and 10:50 for 45 days, then an hour later: the first review's 11:00 goes on raising every
        // morning, and only a second look four weeks later moves it on.
        let lines = Self.home(days: 100) { day in (day < 45 ? 10 * 60 + 20 : 11 * 60 + 20) + (day % 4) * 10 }
        let results = try Evaluator(settings: RuleSettingsBook(), collapses: 10, seed: 1).evaluate(lines)
        let learned = try #require(results.first { $0.label == "learned" })
        let suggested = try #require(results.first { $0.label == "learned+suggested" })
        let reviewed = try #require(results.first { $0.label == "learned+reviewed" })
        let learnedAt = try #require(learned.learnedAt)
        let reviews = try #require(reviewed.reviews)
        #expect(reviews.map(\.at) == [28, 56, 84].map { learnedAt.addingTimeInterval(Double($0) * 86_400) }, "every four weeks after learning")
        #expect(reviews.map(\.taken) == [["not_up_check": "11:00"], ["not_up_check": "12:00"], [:]])
        #expect(reviewed.suggestedSettings == ["not_up_check": "12:00"], "the thresholds in use at the end")
        #expect(reviewed.countedFrom == suggested.countedFrom)

        let secondReview = reviews[1].at
        let suggestedLater = suggested.falseUrgent.filter { $0.at >= secondReview }
        let reviewedLater = reviewed.falseUrgent.filter { $0.at >= secondReview }
        #expect(suggestedLater.count >= 30, "taken once, 11:00 raises every later morning: \(suggestedLater.count)")
        #expect(reviewedLater.count <= 1, "\(reviewedLater.map(\.at))")
        let betweenReviews = reviewed.falseUrgent.filter { $0.at < secondReview }
        #expect(betweenReviews.count >= 10 && betweenReviews.allSatisfy { $0.kind == .notUp },
                "the mornings after the change, before the second look, are counted: \(betweenReviews.count)")
        #expect(reviewed.delays.count == learned.delays.count && reviewed.cuts == learned.cuts, "the same collapses")
    }
}
