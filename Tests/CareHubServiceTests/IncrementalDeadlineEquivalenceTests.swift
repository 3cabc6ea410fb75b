import CareHubCore
import CareHubService
import CareHubTesting
import Foundation
import Testing

/// The replay's rules loop keeps each home's next deadline in a queue and recomputes it only when an input may have
/// moved it. These tests hold that bookkeeping to a straightforward evaluation that recomputes every home's
/// deadline from scratch before every step (`ReferenceRulesEvaluation`), over a real recording in two homes and
/// three DST changes: any deadline the optimised path misses, fires late or fires twice shows up as a different
/// stream of incident commands or a different final rule state.
@Suite struct IncrementalDeadlineEquivalenceTests {
    /// The HomeAssist recording (January to September 2017) as home `home1` in Europe/London (clocks forward on
    /// 26 March), and again, 45 days later, as `home1-ny` in America/New_York (forward on 12 March, back on
    /// 5 November), its event times moved with it. The two homes' lines interleave.
    static func twoHomes() throws -> (lines: [ReplayLine], settings: RuleSettingsBook) {
        let recording = try TestPaths.sharedData("homes/homeassist-home1/home1-2017-01-16_to_2017-09-24.csv")
        let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/homeassist-home1.yaml").path
        let loaded = try ReplayInput.load(path: recording.path, format: .homeassist, mappingPath: mapping)
        let home = try #require(loaded.home)
        let shift: Int64 = 45 * 86_400_000 + 7 * 60_000 + 13_000
        let copy = try loaded.lines.map { line in try Self.moved(line, from: home, to: "\(home)-ny", by: shift) }
        var book = RuleSettingsBook()
        book.homes[home] = RuleSettings(timeZone: "Europe/London")
        book.homes["\(home)-ny"] = RuleSettings(timeZone: "America/New_York")
        let lines = (loaded.lines + copy).enumerated()
            .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
            .map(\.element)
        return (lines, book)
    }

    /// `line` for another home, `shift` later: its topic's home, its time and its payload's `ts`.
    static func moved(_ line: ReplayLine, from home: String, to other: String, by shift: Int64) throws -> ReplayLine {
        guard case .object(var members) = try JSONValue.parse(line.payload) else {
            throw ReplayInputError("line \(line.lineNumber): the payload is not an object")
        }
        if case .string(let ts)? = members["ts"], let instant = RFC3339.parseMilliseconds(ts) {
            members["ts"] = .string(RFC3339.formatMilliseconds(instant + shift))
        }
        let topic = line.topic.replacingOccurrences(of: "/\(home)/", with: "/\(other)/")
        return ReplayLine(time: line.time + shift, topic: topic, payload: Array(JSONText.encode(.object(members)).utf8),
                          lineNumber: line.lineNumber)
    }

    /// Every home's rule state as the rules checkpoint stores it.
    static func persisted(_ homes: [String: HomeRules]) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try homes.mapValues { String(decoding: try encoder.encode($0.state), as: UTF8.self) }
    }

    @Test func incrementalDeadlinesGiveTheSameIncidentsAsRecomputingEverything() throws {
        let (lines, settings) = try Self.twoHomes()
        let end = (lines.last?.time ?? 0) + 86_400_000
        let decoder = EventDecoder(clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))

        var reference = ReferenceRulesEvaluation(settings: settings)
        var loop = RulesLoop(settings: settings)
        var optimised: [ReferenceRulesEvaluation.Step] = []
        var firings = 0
        for line in lines {
            reference.advance(before: line.time)
            firings += loop.fireDeadlines(before: line.time) { optimised.append(.init(at: $0.at, home: $0.home, commands: $0.commands)) }
            let now = Date(millisecondsSince1970: line.time)
            let message = decoder.decode(topic: line.topic, payload: line.payload, receivedAt: now)
            reference.feed(message, at: now)
            switch message {
            case .event(let event): optimised.append(.init(at: now, home: event.home, commands: loop.handle(event, receivedAt: now)))
            case .gatewayStatus(let home, let state):
                optimised.append(.init(at: now, home: home, commands: loop.handleGateway(home: home, state: state, at: now)))
            case .refused: break
            }
        }
        reference.advance(through: end)
        firings += loop.fireDeadlines(through: end) { optimised.append(.init(at: $0.at, home: $0.home, commands: $0.commands)) }

        let expected = reference.steps.filter { !$0.commands.isEmpty }
        let actual = optimised.filter { !$0.commands.isEmpty }
        #expect(reference.firings > 1_000, "the recording exercises the timers")
        #expect(expected.count > 100)
        if let first = zip(expected, actual).first(where: { $0.0 != $0.1 }) {
            Issue.record("first difference: expected \(first.0), got \(first.1)")
        }
        #expect(expected.count == actual.count)
        // A deadline left stale in the queue fires for nothing (harmless live, but not what the rules asked for).
        #expect(firings == reference.firings, "timer firings")
        // Compared as persisted: a record's missing reading is NaN, which `==` never finds equal to itself.
        #expect(try Self.persisted(loop.engine.homes) == Self.persisted(reference.engine.homes), "the same rule state at the end")
        // Raised across the DST changes: both homes' clocks are exercised by incidents on either side of them.
        let raisedAt = Set(expected.filter { $0.commands.contains(where: \.isRaise) }.map { RFC3339.format($0.at).prefix(7) })
        #expect(raisedAt.contains("2017-03") && raisedAt.contains("2017-04") && raisedAt.contains("2017-11"), "\(raisedAt.sorted())")

        // `carehub replay` in memory (the same loop inside `Replayer`) raises the same incidents at the same instants.
        let replayed = try Replayer(store: nil, settings: settings, clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
            .run(lines)
        let expectedRaised = expected.flatMap { step in step.commands.compactMap { $0.raisedKind.map { ($0, step.at) } } }
        #expect(replayed.raised.map(\.kind) == expectedRaised.map(\.0))
        #expect(replayed.raised.map(\.at) == expectedRaised.map(\.1))
    }
}

extension IncidentCommand {
    var isRaise: Bool { raisedKind != nil }

    var raisedKind: IncidentKind? {
        if case .raise(let draft) = self { return draft.kind }
        return nil
    }
}
