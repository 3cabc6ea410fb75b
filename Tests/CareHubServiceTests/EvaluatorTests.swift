import CareHubCore
@testable import CareHubService
import Foundation
import Testing

/// `carehub evaluate` (issue 12): false alarms on an uncut recording, detection delays of simulated collapses, the
/// liveness it makes for recordings without heartbeats, and the same answer for the same seed.
@Suite struct EvaluatorTests {
    static let start = RFC3339.parseMilliseconds("2026-11-02T00:00:00Z") ?? 0

    /// A home with motion every 15 min from 07:00 to 22:00 (UTC, Europe/London in winter) for `days` days, and no
    /// heartbeat: the evaluator must make its liveness.
    static func steadyHome(days: Int) -> [ReplayLine] {
        var lines: [ReplayLine] = []
        for day in 0..<days {
            for quarter in (7 * 4)...(22 * 4) {
                let time = start + Int64(day) * 86_400_000 + Int64(quarter) * 900_000
                let room = quarter < 12 * 4 ? "kitchen" : quarter < 21 * 4 ? "lounge" : "bedroom"
                let payload = #"{"id":"e\#(lines.count)","ts":"\#(RFC3339.formatMilliseconds(time))","type":"motion","value":true,"room":"\#(room)"}"#
                lines.append(ReplayLine(time: time, topic: "carehub/v1/flat-1/pir-\(room)/event", payload: Array(payload.utf8),
                                        lineNumber: lines.count + 1))
            }
        }
        return lines
    }

    @Test func aSteadyHomeRaisesNothingAndEveryCollapseIsFoundSoonerWhenLearned() throws {
        let results = try Evaluator(settings: RuleSettingsBook(), collapses: 20, seed: 7).evaluate(Self.steadyHome(days: 21))
        let learned = try #require(results.first { $0.mode == .learned })
        let fixed = try #require(results.first { $0.mode == .fixed })
        #expect(learned.learnedAt != nil, "seven days of quiets make a routine")
        #expect(learned.daysCounted > 10)
        #expect(learned.falseUrgent.isEmpty, "\(learned.falseUrgent)")
        #expect(fixed.falseUrgent.isEmpty, "\(fixed.falseUrgent)")
        #expect(learned.delays.count == 20 && fixed.delays.count == 20)
        let learnedDelays = learned.delays.compactMap { $0 }
        let fixedDelays = fixed.delays.compactMap { $0 }
        #expect(learnedDelays.count == 20 && fixedDelays.count == 20, "every collapse found within 24 h")
        #expect(learnedDelays.allSatisfy { $0 <= 3_600 + 900 }, "a home never quiet 15 min is raised within about an hour: \(learnedDelays)")
        #expect(fixedDelays.filter { $0 > 3 * 3_600 }.count > 10, "the fixed rules wait four hours: \(fixedDelays)")
    }

    @Test func nightCollapsesAreDrawnFromTheNightAndEachNamesWhatFoundIt() throws {
        var evaluator = Evaluator(settings: RuleSettingsBook(), collapses: 20, seed: 7)
        evaluator.daytime = LocalWindow(start: 0, end: 6 * 60)
        let learned = try #require(try evaluator.evaluate(Self.steadyHome(days: 21)).first { $0.mode == .learned })
        var clock = try #require(LocalClock(identifier: "Europe/London"))
        #expect(learned.cuts.count == 20)
        #expect(learned.cuts.allSatisfy { clock.minuteOfDay(at: $0.millisecondsSince1970) < 6 * 60 }, "\(learned.cuts)")
        // In bed since 22:00: only the morning finds the resident. Once 14 mornings are counted (from 16 November) this
        // home, up at 07:00 every day, is checked at 08:00 and the incident says why; before, the fixed 10:00.
        let twoWeeks = try #require(RFC3339.parse("2026-11-16T00:00:00Z"))
        #expect(learned.detections.count == 20)
        for (index, cut) in learned.cuts.enumerated() {
            let found = try #require(learned.delays[index].map { cut.addingTimeInterval($0) })
            let morning = clock.instant(day: clock.localDay(at: cut.millisecondsSince1970), minute: cut >= twoWeeks ? 8 * 60 : 10 * 60)
            #expect(found.millisecondsSince1970 == morning, "cut at \(cut), found at \(found)")
            if cut >= twoWeeks {
                #expect(learned.detections[index]?.kind == .notUp)
                #expect(learned.detections[index]?.summary.contains("this home was up and about by 07:00 every day") == true)
            }
        }
        #expect(learned.cuts.contains { $0 >= twoWeeks } && learned.cuts.contains { $0 < twoWeeks })
    }

    @Test func theSameSeedDrawsTheSameCollapsesAndAnotherSeedOthers() throws {
        let lines = Self.steadyHome(days: 12)
        func delays(_ seed: UInt64) throws -> [Double?] {
            try Evaluator(settings: RuleSettingsBook(), collapses: 10, seed: seed).evaluate(lines).first { $0.mode == .fixed }?.delays ?? []
        }
        #expect(try delays(3) == delays(3))
        #expect(try delays(3) != delays(4))
    }

    @Test func aRecordingWithoutHeartbeatsGetsThemExceptInAPlatformOutage() {
        var lines = Self.steadyHome(days: 10)
        // Days 3 to 5 hold nothing at all: the platform was down.
        let outage = (Self.start + 3 * 86_400_000)..<(Self.start + 6 * 86_400_000)
        lines.removeAll { outage.contains($0.time) }
        let decoder = EventDecoder()
        let inputs = lines.compactMap { line -> EvaluationInput? in
            guard case .event(let event) = decoder.decode(topic: line.topic, payload: line.payload, receivedAt: Date(millisecondsSince1970: line.time))
            else { return nil }
            return EvaluationInput(time: line.time, message: .event(event))
        }
        let made = LivenessSynthesis().liveness(for: inputs)
        let heartbeats = made.filter(\.isHeartbeat).map(\.time)
        let lastBeforeOutage = inputs.filter { $0.time < outage.lowerBound }.last?.time ?? 0
        #expect(heartbeats.allSatisfy { !outage.contains($0) || $0 <= lastBeforeOutage + 3_600_000 }, "none in the outage after its first hour")
        #expect(heartbeats.count > 6 * 47 * 3, "every 30 min from each of the 3 devices on the 7 days with data: \(heartbeats.count)")
        let statuses = made.compactMap { input -> GatewayState? in
            if case .gateway(_, let state) = input.message { return state }
            return nil
        }
        #expect(statuses == [.online, .offline, .online], "online at the start, offline an hour into the outage, online when data returns")
        // A recording with heartbeats of its own gets none.
        let withOwn = inputs + [EvaluationInput(time: Self.start, message: .event(
            SensorEvent(home: "flat-1", device: "pir-kitchen", id: "hb", type: .heartbeat, timestamp: Date(millisecondsSince1970: Self.start))))]
        #expect(LivenessSynthesis().liveness(for: withOwn).isEmpty)
    }

    @Test func daysWithoutAnyDataAreLeftOutOfTheDaysTheFalseAlarmsAreCountedOver() throws {
        var lines = Self.steadyHome(days: 30)
        // Days 15 to 24 hold nothing at all (the platform down, or the resident away without a door contact seeing it).
        let gap = (Self.start + 15 * 86_400_000)..<(Self.start + 25 * 86_400_000)
        lines.removeAll { gap.contains($0.time) }
        let results = try Evaluator(settings: RuleSettingsBook(), collapses: 0, seed: 1).evaluate(lines)
        let learned = try #require(results.first { $0.mode == .learned })
        let counted = try #require(learned.countedFrom)
        let span = learned.last.timeIntervalSince(counted) / 86_400
        // From 22:00 on day 14 to 07:00 on day 25: 10 days and 9 hours.
        #expect(abs(learned.daysWithoutData - (10 + 9.0 / 24)) < 0.01, "\(learned.daysWithoutData)")
        #expect(abs(learned.daysCounted - (span - learned.daysWithoutData)) < 0.001)
        // Counted over the span, the gap's no_data would be one alarm in 22 days; over the days with data, one in 12.
        #expect(learned.falseUrgent.map(\.kind) == [.noData])
        let perMonth = try #require(learned.falseUrgentPerMonth)
        #expect(abs(perMonth - 30 / learned.daysCounted) < 0.001, "\(perMonth)")
        #expect(learned.daysCounted < 14, "\(learned.daysCounted) of \(span)")
    }

    @Test func aRecordingWithALineMonthsAfterTheRestIsEvaluatedNotTrapped() throws {
        // A recorder whose clock jumped: one line in June 2027 after 40 days of 2026. The monthly reviews fall in the gap, where
        // the recording holds nothing; counting them trapped on an empty range (lower bound past the upper).
        var lines = Self.steadyHome(days: 40)
        let jump = try #require(RFC3339.parseMilliseconds("2027-06-01T12:00:00Z"))
        let payload = #"{"id":"late","ts":"2027-06-01T12:00:00Z","type":"motion","value":true,"room":"kitchen"}"#
        lines.append(ReplayLine(time: jump, topic: "carehub/v1/flat-1/pir-kitchen/event", payload: Array(payload.utf8), lineNumber: lines.count + 1))
        let results = try Evaluator(settings: RuleSettingsBook(), collapses: 5, seed: 1).evaluate(lines)
        let learned = try #require(results.first { $0.mode == .learned })
        #expect(learned.daysCounted < 40, "the months without data are not counted: \(learned.daysCounted)")
        #expect(results.contains { $0.label == "learned+reviewed" })
    }

    @Test func messagesTheHubWouldRefuseAreCountedAndSaidNotTakenForAQuietHome() throws {
        // A gateway that stamps local time as UTC: every event's time an hour ahead of when it was received.
        let lines = Self.steadyHome(days: 10).map { line in
            ReplayLine(time: line.time - 3_600_000, topic: line.topic, payload: line.payload, lineNumber: line.lineNumber)
        }
        var refused = EvaluationRefusals()
        let results = try Evaluator(settings: RuleSettingsBook(), collapses: 0, seed: 1).evaluate(lines, refused: &refused)
        #expect(results.isEmpty, "nothing left to evaluate")
        #expect(refused.counts == ["clock_ahead": lines.count])
        #expect(refused.sentence?.hasPrefix("refused \(lines.count) of the recording's messages as the hub would, so they were not "
            + "evaluated: clock_ahead \(lines.count) (The event time is 3600 s ahead of the hub's clock") == true, "\(refused.sentence ?? "")")
        // On time, nothing is refused and nothing said.
        var none = EvaluationRefusals()
        _ = try Evaluator(settings: RuleSettingsBook(), collapses: 0, seed: 1).evaluate(Self.steadyHome(days: 2), refused: &none)
        #expect(none.total == 0 && none.sentence == nil)
    }
}
