import CareHubCore
import CareHubStore
import Foundation

/// Feeds recorded messages through the same decoding, storage and rules as the live hub, on a virtual clock
/// (contract section 5): lines in order of their time; before each line, every rule deadline that falls
/// due before it fires at its own instant; a deadline at the same instant as a line fires after the line;
/// after the last line, deadlines keep firing up to `until`.
public struct Replayer {
    public let store: ReplayStore?
    public let settings: RuleSettingsBook
    public let decoder: EventDecoder
    /// Lines per transaction when storing.
    public var batchSize = 5_000

    public init(store: ReplayStore?, settings: RuleSettingsBook, clockSkew: ClockSkewPolicy = ClockSkewPolicy()) {
        self.store = store
        self.settings = settings
        decoder = EventDecoder(clockSkew: clockSkew)
    }

    /// What a replay did.
    public struct Outcome: Sendable {
        public var lines = 0
        public var events = 0
        public var duplicates = 0
        public var refused = 0
        public var timerFirings = 0
        /// Incidents raised, as (kind, virtual time), in order.
        public var raised: [(kind: IncidentKind, at: Date)] = []
        public var firstLine: Date?
        public var lastLine: Date?
        public var until: Date?
    }

    /// Replays `lines` (sorted here, stably, by time). `until` defaults to 24 h after the last line.
    public func run(_ input: [ReplayLine], until: Date? = nil) throws -> Outcome {
        let lines = input.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        var engine = RulesEngine(settings: settings)
        var deadlines = DeadlineQueue()
        var outcome = Outcome()
        outcome.firstLine = lines.first.map { Date(millisecondsSince1970: $0.time) }
        outcome.lastLine = lines.last.map { Date(millisecondsSince1970: $0.time) }
        let end = until?.millisecondsSince1970 ?? (lines.last.map { $0.time + 86_400_000 } ?? 0)
        outcome.until = Date(millisecondsSince1970: end)
        var index = 0
        while index < lines.count || deadlines.peek().map({ $0.due <= end }) == true {
            try transaction { transaction in
                var budget = batchSize
                while budget > 0 {
                    let nextLine = index < lines.count && lines[index].time <= end ? lines[index].time : nil
                    // A deadline fires before a line only when strictly earlier.
                    if let due = deadlines.peek(), due.due <= end, nextLine.map({ due.due < $0 }) ?? true {
                        _ = deadlines.popDue(atOrBefore: due.due)
                        let now = Date(millisecondsSince1970: due.due)
                        try apply(engine.tick(home: due.home, now: now), at: now, transaction: transaction, outcome: &outcome)
                        deadlines.schedule(due.home, at: engine.nextDeadline(home: due.home)?.millisecondsSince1970)
                        outcome.timerFirings += 1
                    } else if let time = nextLine {
                        let line = lines[index]
                        index += 1
                        outcome.lines += 1
                        let now = Date(millisecondsSince1970: time)
                        try feed(line, now: now, engine: &engine, deadlines: &deadlines, transaction: transaction, outcome: &outcome)
                    } else {
                        index = lines.count
                        return
                    }
                    budget -= 1
                }
            }
        }
        return outcome
    }

    private func transaction(_ body: (ReplayStore.Transaction?) throws -> Void) throws {
        if let store {
            try store.write { try body($0) }
        } else {
            try body(nil)
        }
    }

    private func feed(
        _ line: ReplayLine, now: Date, engine: inout RulesEngine, deadlines: inout DeadlineQueue,
        transaction: ReplayStore.Transaction?, outcome: inout Outcome
    ) throws {
        let decoded = decoder.decode(topic: line.topic, payload: line.payload, receivedAt: now)
        if let transaction {
            let stored = try transaction.store(decoded, topic: line.topic, payload: line.payload, receivedAt: now)
            switch stored {
            case .duplicate:
                outcome.duplicates += 1
                return
            case .refused:
                outcome.refused += 1
                return
            default:
                break
            }
        }
        switch decoded {
        case .event(let event):
            outcome.events += 1
            try apply(engine.handle(event, receivedAt: now), at: now, transaction: transaction, outcome: &outcome)
            if engine.lastEventMovedDeadline {
                deadlines.schedule(event.home, at: engine.nextDeadline(home: event.home)?.millisecondsSince1970)
            }
        case .gatewayStatus(let home, let state):
            try apply(engine.handleGateway(home: home, state: state, at: now), at: now, transaction: transaction, outcome: &outcome)
            deadlines.schedule(home, at: engine.nextDeadline(home: home)?.millisecondsSince1970)
        case .refused:
            if transaction == nil { outcome.refused += 1 }
        }
    }

    private func apply(_ commands: [IncidentCommand], at now: Date, transaction: ReplayStore.Transaction?, outcome: inout Outcome) throws {
        for command in commands {
            if let transaction {
                for change in try transaction.apply(command, at: now) {
                    if case .opened = change, case .raise(let draft) = command { outcome.raised.append((draft.kind, now)) }
                }
            } else if case .raise(let draft) = command {
                outcome.raised.append((draft.kind, now))
            }
        }
    }
}
