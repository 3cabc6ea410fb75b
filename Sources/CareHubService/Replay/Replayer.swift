import CareHubCore
import CareHubStore
import Foundation

/// Feeds recorded messages through the same decoding, storage and rules as the live hub, on a virtual clock
/// (contract section 5): lines in order of their time; before each line, every rule deadline that falls
/// due before it fires at its own instant; a deadline at the same instant as a line fires after the line;
/// after the last line, deadlines keep firing up to `until`. The interleaving is `RulesLoop`'s, the same as
/// the live hub's.
public struct Replayer {
    public let store: ReplayStore?
    public let settings: RuleSettingsBook
    public let decoder: EventDecoder
    /// What stores each line when the replay is persisted: the live hub's own decisions (without its rate limits).
    let ingestor: Ingestor?
    /// Lines per transaction when storing.
    public var batchSize = 50_000

    public init(store: ReplayStore?, settings: RuleSettingsBook, clockSkew: ClockSkewPolicy = ClockSkewPolicy()) {
        self.store = store
        self.settings = settings
        decoder = EventDecoder(clockSkew: clockSkew)
        ingestor = store.map {
            Ingestor(store: IngestStore(database: $0.database), registration: $0.registration, defaultTimeZone: $0.defaultTimeZone, clockSkew: clockSkew)
        }
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
        let lines = Self.sortedByTime(input)
        var loop = RulesLoop(settings: settings)
        var outcome = Outcome()
        outcome.firstLine = lines.first.map { Date(millisecondsSince1970: $0.time) }
        outcome.lastLine = lines.last.map { Date(millisecondsSince1970: $0.time) }
        let end = until?.millisecondsSince1970 ?? (lines.last.map { $0.time + 86_400_000 } ?? 0)
        outcome.until = Date(millisecondsSince1970: end)
        // Lines after `until` are not fed.
        let fed = lines.prefix { $0.time <= end }
        var index = fed.startIndex
        while index < fed.endIndex {
            let batch = fed[index..<min(index + batchSize, fed.endIndex)]
            try transaction { transaction in
                // One burst a transaction: what it learns of the registry lasts as long as the transaction.
                let burst = transaction.map { IngestBurst(transaction: $0.ingest) }
                for line in batch {
                    try loop.fireDeadlines(before: line.time) { firing in
                        try apply(firing.commands, at: firing.at, transaction: transaction, outcome: &outcome)
                        outcome.timerFirings += 1
                    }
                    outcome.lines += 1
                    try feed(line, now: Date(millisecondsSince1970: line.time), loop: &loop, transaction: transaction, burst: burst,
                             outcome: &outcome)
                }
            }
            index = batch.endIndex
        }
        // After the last line, the virtual clock runs on to `until`.
        var fired = batchSize
        while fired == batchSize {
            try transaction { transaction in
                fired = try loop.fireDeadlines(through: end, limit: batchSize) { firing in
                    try apply(firing.commands, at: firing.at, transaction: transaction, outcome: &outcome)
                    outcome.timerFirings += 1
                }
            }
        }
        return outcome
    }

    /// `input` in order of time, lines of the same time in their input order. A recording is usually in order
    /// already, and checking costs far less than sorting millions of lines.
    static func sortedByTime(_ input: [ReplayLine]) -> [ReplayLine] {
        if zip(input, input.dropFirst()).allSatisfy({ $0.time <= $1.time }) { return input }
        return input.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    private func transaction(_ body: (ReplayStore.Transaction?) throws -> Void) throws {
        if let store {
            try store.write { try body($0) }
        } else {
            try body(nil)
        }
    }

    private func feed(_ line: ReplayLine, now: Date, loop: inout RulesLoop, transaction: ReplayStore.Transaction?, burst: IngestBurst?,
                      outcome: inout Outcome) throws {
        let decoded = decoder.decode(topic: line.topic, payload: line.payload, receivedAt: now)
        if let burst, let ingestor {
            let stored = try ingestor.ingest(.contract(decoded), topic: line.topic, payload: line.payload, receivedAt: now, in: burst)
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
            try apply(loop.handle(event, receivedAt: now), at: now, transaction: transaction, outcome: &outcome)
        case .gatewayStatus(let home, let state):
            try apply(loop.handleGateway(home: home, state: state, at: now), at: now, transaction: transaction, outcome: &outcome)
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

extension ClockSkewPolicy {
    /// In replay the "receive" time is the line's own time (or the event's), so only a line that claims to be
    /// from far in its own future is odd; events from days before their `at` are legitimately late.
    public static let replay = ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400)
}
