import Foundation

/// The one rules loop of the hub and of `carehub replay`: the engine, each home's next deadline, and the order
/// in which inputs and deadlines meet. `RulesRunner` (live) and `Replayer` (virtual clock) both step this type,
/// so a fix to how events and timers interleave is made once.
///
/// Contract section 5's order: before an input at time `t`, every deadline due strictly before `t` fires, each
/// at its own instant (`fireDeadlines(before: t)`); a deadline due at `t` itself fires after the input. Live, the
/// hub's clock has already passed the deadlines it finds due, so they fire at the clock's time with the
/// evidence known then (`fireDeadlines(through: now, at: now)`).
///
/// ```swift
/// var loop = RulesLoop(settings: book)
/// try loop.fireDeadlines(before: line.time) { firing in store(firing.commands, at: firing.at) }
/// store(loop.handle(event, receivedAt: lineTime), at: lineTime)
/// ```
///
/// Every input that can move a home's deadline marks the home; the deadline is recomputed only when the queue is
/// next read, so a batch of events for one home costs one recomputation. State the rules gain later (a learned
/// routine) lives in the engine and needs nothing here beyond marking the homes it changes (`homeChanged`).
public struct RulesLoop: Sendable {
    public private(set) var engine: RulesEngine
    private var queue = DeadlineQueue()
    /// Homes whose deadline must be recomputed before the queue is read.
    private var moved: Set<String> = []

    public init(settings: RuleSettingsBook = RuleSettingsBook()) {
        engine = RulesEngine(settings: settings)
    }

    /// One deadline fired: the home, the instant it was evaluated at, and what it raised or resolved.
    public struct Firing: Sendable {
        public var home: String
        public var at: Date
        public var commands: [IncidentCommand]
    }

    // MARK: Inputs

    /// A stored event received at `receivedAt` (hub time, or the line's time in replay).
    public mutating func handle(_ event: SensorEvent, receivedAt: Date) -> [IncidentCommand] {
        let commands = engine.handle(event, receivedAt: receivedAt)
        if engine.lastEventMovedDeadline { moved.insert(event.home) }
        return commands
    }

    public mutating func handleGateway(home: String, state: GatewayState, at instant: Date) -> [IncidentCommand] {
        moved.insert(home)
        return engine.handleGateway(home: home, state: state, at: instant)
    }

    public mutating func handleDeviceStatus(home: String, device: String, state: GatewayState, at instant: Date) -> [IncidentCommand] {
        moved.insert(home)
        return engine.handleDeviceStatus(home: home, device: device, state: state, at: instant)
    }

    /// Away (holiday) and visit settings as they now stand for `home`.
    public mutating func setModes(home: String, holidayUntil: Date?, visitUntil: Date?, now: Date) {
        engine.setHoliday(home: home, until: holidayUntil, now: now)
        engine.setVisit(home: home, until: visitUntil, now: now)
        moved.insert(home)
    }

    /// Starts `home`'s learned routine and day counts again (`carehub homes relearn`).
    public mutating func relearn(home: String) {
        engine.relearn(home: home)
        moved.insert(home)
    }

    public mutating func forgetDevice(home: String, device: String, at instant: Date) -> [IncidentCommand] {
        moved.insert(home)
        return engine.forgetDevice(home: home, device: device, at: instant)
    }

    /// Forgets a home entirely (its data is being erased): no state, no deadline.
    public mutating func forget(home: String) {
        engine.forget(home: home)
        queue.schedule(home, at: nil)
        moved.remove(home)
    }

    /// Restores a home's saved state (at start-up).
    public mutating func restore(home: String, state: HomeRuleState) {
        engine.restore(home: home, state: state)
        moved.insert(home)
    }

    /// Replaces the registry's per-device offline allowances; the caller marks the homes whose allowances changed.
    public mutating func setDeviceOverrides(_ overrides: [String: [String: TimeInterval]]) {
        engine.setDeviceOverrides(overrides)
    }

    /// Something outside the inputs above changed what `home`'s deadline depends on.
    public mutating func homeChanged(_ home: String) {
        moved.insert(home)
    }

    // MARK: Deadlines

    /// Fires, earliest first, every deadline due strictly before `instant`, each at its own due instant (the
    /// virtual clock of a replay passes through it). Returns how many fired.
    @discardableResult
    public mutating func fireDeadlines(before instant: Int64, limit: Int = .max, _ body: (Firing) throws -> Void) rethrows -> Int {
        try fire(dueAtOrBefore: instant - 1, at: nil, limit: limit, body)
    }

    /// Fires, earliest first, every deadline due at or before `instant`: each at its own due instant when `clock` is
    /// nil (a replay's end), else at `clock` (the live hub's time, past them all). Returns how many fired.
    @discardableResult
    public mutating func fireDeadlines(through instant: Int64, at clock: Date? = nil, limit: Int = .max,
                                       _ body: (Firing) throws -> Void) rethrows -> Int {
        try fire(dueAtOrBefore: instant, at: clock, limit: limit, body)
    }

    private mutating func fire(dueAtOrBefore instant: Int64, at clock: Date?, limit: Int, _ body: (Firing) throws -> Void) rethrows -> Int {
        var fired = 0
        while fired < limit {
            refresh()
            guard let due = queue.popDue(atOrBefore: instant) else { break }
            let now = clock ?? Date(millisecondsSince1970: due.due)
            let commands = engine.tick(home: due.home, now: now)
            moved.insert(due.home)
            fired += 1
            try body(Firing(home: due.home, at: now, commands: commands))
        }
        return fired
    }

    /// The earliest deadline of any home.
    public mutating func nextDeadline() -> Date? {
        refresh()
        return queue.peek().map { Date(millisecondsSince1970: $0.due) }
    }

    /// `home`'s next deadline, as the queue holds it.
    public mutating func deadline(of home: String) -> Date? {
        refresh()
        return queue.deadline(of: home).map(Date.init(millisecondsSince1970:))
    }

    /// How many homes have a deadline.
    public mutating func deadlineCount() -> Int {
        refresh()
        return queue.count
    }

    private mutating func refresh() {
        guard !moved.isEmpty else { return }
        for home in moved {
            queue.schedule(home, at: engine.nextDeadline(home: home)?.millisecondsSince1970)
        }
        moved.removeAll(keepingCapacity: true)
    }
}
