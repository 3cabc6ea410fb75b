import CareHubCore
import Foundation

/// The first pass of an evaluation, in learned mode: when the home's routine was learned, and the daytime minutes
/// after that when the resident was at home (`HomeRules.isAtHome`), from which collapses are drawn.
struct HomeSurvey {
    var home: String
    var settings: RuleSettingsBook
    var daytime: LocalWindow

    struct Result {
        var learnedAt: Int64?
        var atHomeMinutes: [Int64]
    }

    func run(_ timeline: [EvaluationInput]) -> Result {
        var loop = RulesLoop(settings: settings)
        let homeSettings = settings.settings(for: home)
        var clock = LocalClock(identifier: homeSettings.timeZone) ?? LocalClock(timeZone: .gmt)
        var result = Result(learnedAt: nil, atHomeMinutes: [])
        for (index, input) in timeline.enumerated() {
            loop.fireDeadlines(before: input.time) { _ in }
            _ = loop.feed(input)
            guard let rules = loop.engine.homes[home] else { continue }
            if result.learnedAt == nil, rules.state.routine?.isReady(days: homeSettings.learningDays) == true { result.learnedAt = input.time }
            guard result.learnedAt != nil, index + 1 < timeline.count, rules.isAtHome(at: input.time, settings: homeSettings) else { continue }
            // Every whole minute until the next message, while nothing changes the state.
            var minute = (input.time / 60_000 + 1) * 60_000
            while minute < timeline[index + 1].time {
                if daytime.contains(minuteOfDay: clock.minuteOfDay(at: minute)), rules.isAtHome(at: minute, settings: homeSettings) {
                    result.atHomeMinutes.append(minute)
                }
                minute += 60_000
            }
        }
        return result
    }
}

extension RulesLoop {
    /// Feeds one evaluation input at its own time.
    mutating func feed(_ input: EvaluationInput) -> [IncidentCommand] {
        let now = Date(millisecondsSince1970: input.time)
        switch input.message {
        case .event(let event): return handle(event, receivedAt: now)
        case .gateway(let home, let state): return handleGateway(home: home, state: state, at: now)
        }
    }
}
