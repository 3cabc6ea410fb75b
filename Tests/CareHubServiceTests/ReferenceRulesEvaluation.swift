import CareHubCore
import Foundation
import Testing

/// The rules on a virtual clock, evaluated the slow and obvious way, as the measure of the optimised `RulesLoop`:
/// before every step, every home's next deadline is computed from scratch (`RulesEngine.nextDeadline`), nothing is
/// remembered between steps, and the earliest (ties to the smallest home) fires at its own instant.
struct ReferenceRulesEvaluation {
    private(set) var engine: RulesEngine
    /// Everything the rules said, input by input and firing by firing, in order.
    private(set) var steps: [Step] = []
    private(set) var firings = 0

    struct Step: Equatable, CustomStringConvertible {
        var at: Date
        var home: String
        var commands: [IncidentCommand]

        var description: String { "\(RFC3339.format(at)) \(home): \(commands)" }
    }

    init(settings: RuleSettingsBook) {
        engine = RulesEngine(settings: settings)
    }

    mutating func feed(_ message: DecodedMessage, at now: Date) {
        switch message {
        case .event(let event): steps.append(Step(at: now, home: event.home, commands: engine.handle(event, receivedAt: now)))
        case .gatewayStatus(let home, let state): steps.append(Step(at: now, home: home, commands: engine.handleGateway(home: home, state: state, at: now)))
        case .refused: break
        }
    }

    /// Fires every deadline due strictly before `instant`.
    mutating func advance(before instant: Int64) {
        advance(dueAtOrBefore: instant - 1)
    }

    /// Fires every deadline due at or before `instant`.
    mutating func advance(through instant: Int64) {
        advance(dueAtOrBefore: instant)
    }

    private mutating func advance(dueAtOrBefore instant: Int64) {
        // Bounded: a deadline that never moves on would fire forever.
        for _ in 0..<10_000 {
            var earliest: (due: Int64, home: String)?
            for home in engine.homes.keys.sorted() {
                guard let due = engine.nextDeadline(home: home)?.millisecondsSince1970 else { continue }
                if earliest.map({ due < $0.due }) ?? true { earliest = (due, home) }
            }
            guard let (due, home) = earliest, due <= instant else { return }
            let now = Date(millisecondsSince1970: due)
            firings += 1
            steps.append(Step(at: now, home: home, commands: engine.tick(home: home, now: now)))
        }
        Issue.record("more than 10,000 firings before \(RFC3339.formatMilliseconds(instant))")
    }
}
