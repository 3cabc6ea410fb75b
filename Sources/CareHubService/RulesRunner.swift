import CareHubCore
import CareHubStore
import Foundation

/// The rules service's working state, steppable synchronously (tests drive it with a manual clock): the
/// engine, the homes' deadlines, and what has been evaluated but not yet written.
struct RulesRunner {
    static let batchSize = 500
    /// Work that changes no incident is written at most this often: under load every write is one more fsync
    /// competing with ingest. Evaluating a few already-seen events again after a crash is harmless: the rules
    /// are deterministic and the state written with the checkpoint is the state before them.
    static let idleWriteInterval: TimeInterval = 1

    let store: RulesStore
    /// The engine and the homes' deadlines, stepped as the replay steps them.
    private(set) var loop: RulesLoop
    private var evaluated: RulesStore.Checkpoint
    private var written: RulesStore.Checkpoint
    private var writtenAt: Date
    private var dirty: Set<String> = []
    private var registryVersion: Int64 = -1
    /// Erasures (`carehub erase`): the homes being erased are ignored, and every home erased is forgotten.
    private var erasureVersion: Int64 = -1
    private var erasuresSeen: Int64 = 0
    private var erasing: Set<String> = []
    /// Alarms raised ahead of a backlog (`raiseAlarmsAhead`) up to this event.
    private var alarmsRaisedAheadThrough: Int64 = 0
    private let alarmRule = AlarmRule()

    /// How far back a home's events are read again when its saved state cannot be: past the longest window a
    /// rule looks at (a device silent 25 h, a fridge unused 24 h), with room to spare.
    static let rebuildWindow: TimeInterval = 7 * 24 * 3600

    /// How long reading and decoding the saved states took at start, and restoring them into the rules.
    private(set) var startup: (read: Duration, restore: Duration) = (.zero, .zero)

    /// Homes whose saved state could not be read and was rebuilt from their events at start, with how many events.
    private(set) var rebuilt: [(home: String, events: Int)] = []

    init(store: RulesStore, settings: RuleSettingsBook, now: Date) throws {
        self.store = store
        loop = RulesLoop(settings: settings)
        let clock = ContinuousClock()
        let started = clock.now
        let saved = try store.states()
        let read = clock.now
        for (home, state) in saved.states {
            loop.restore(home: home, state: state)
        }
        startup = (read - started, clock.now - read)
        evaluated = try store.fullCheckpoint()
        written = evaluated
        writtenAt = now
        for home in saved.undecodable {
            rebuilt.append((home, try rebuild(home: home, now: now)))
            dirty.insert(home)
        }
        erasuresSeen = try store.erasures(after: 0).last?.seq ?? 0
        try forgetErasedHomes()
    }

    /// Rebuilds a home's rule state from its recent events already evaluated (up to the checkpoint), firing its
    /// deadlines between them as they fell due, in the replay's order (a loop of its own, so that no other home's
    /// deadline fires). What that raises was raised the first time: the commands are dropped. Returns how many
    /// events were read.
    private mutating func rebuild(home: String, now: Date) throws -> Int {
        let events = try store.events(home: home, since: now.addingTimeInterval(-Self.rebuildWindow), upTo: evaluated.eventSeq)
        var replay = RulesLoop(settings: loop.engine.settings)
        for record in events {
            replay.fireDeadlines(before: record.receivedAt.millisecondsSince1970, limit: 10_000) { _ in }
            _ = replay.handle(record.event, receivedAt: record.receivedAt)
        }
        if let state = replay.engine.homes[home]?.state { loop.restore(home: home, state: state) }
        return events.count
    }

    /// The row number (`events.seq`) evaluated through, written or not.
    var evaluatedEventSeq: Int64 { evaluated.eventSeq }

    /// The earliest deadline of any home.
    mutating func nextDeadline() -> Date? {
        loop.nextDeadline()
    }

    /// How many homes have a deadline.
    mutating func deadlineCount() -> Int {
        loop.deadlineCount()
    }

    /// Evaluates new events, gateway statuses and away/visit settings, then (when allowed) every deadline due
    /// at `now`; writes what changed incidents at once, the rest at most once a second. Returns how many
    /// events it evaluated and what it changed.
    mutating func step(now: Date, timersMayFire: Bool, forceWrite: Bool = false) throws -> (events: Int, changes: [IncidentStore.Change]) {
        var commands: [IncidentCommand] = []
        try forgetErasedHomes()
        commands += try reloadRegistryIfChanged(now: now)
        let records = try store.events(after: evaluated.eventSeq, limit: Self.batchSize)
        if let last = records.last, records.count == Self.batchSize {
            // Behind a backlog: an alarm stored further on is raised now, not after everything before it.
            commands += try raiseAlarmsAhead(of: last.seq)
        }
        for record in records where !erasing.contains(record.event.home) {
            commands += loop.handle(record.event, receivedAt: record.receivedAt)
            dirty.insert(record.event.home)
        }
        if let last = records.last { evaluated.eventSeq = last.seq }
        for status in try store.gatewayStatuses(after: evaluated.gatewaySeq) {
            evaluated.gatewaySeq = status.seq
            if erasing.contains(status.home) { continue }
            if let device = status.device {
                commands += loop.handleDeviceStatus(home: status.home, device: device, state: status.state, at: status.at)
            } else {
                commands += loop.handleGateway(home: status.home, state: status.state, at: status.at)
            }
            dirty.insert(status.home)
        }
        for mode in try store.modeChanges(after: evaluated.modeChange) where !erasing.contains(mode.home) {
            loop.setModes(home: mode.home, holidayUntil: mode.holidayUntil, visitUntil: mode.visitUntil, now: now)
            if mode.asksToRelearn { loop.relearn(home: mode.home) }
            dirty.insert(mode.home)
            evaluated.modeChange = max(evaluated.modeChange, mode.updatedAt)
        }
        if timersMayFire {
            loop.fireDeadlines(through: now.millisecondsSince1970, at: now, limit: 10_000) { firing in
                commands += firing.commands
                dirty.insert(firing.home)
            }
        }
        var changes: [IncidentStore.Change] = []
        let due = forceWrite || now.timeIntervalSince(writtenAt) >= Self.idleWriteInterval
        if !commands.isEmpty || (due && (evaluated != written || !dirty.isEmpty)) {
            changes = try write(commands, now: now)
        }
        return (records.count, changes)
    }

    /// Raises the alarms stored after `seq` (where the rules have read to) ahead of their turn. An alarm's incident
    /// depends on the alarm event alone (`AlarmRule`), so it can be raised before the home's earlier events are
    /// evaluated; when the rules reach the event in order, its raise meets the incident it already opened
    /// (`IncidentStore`: one raise per triggering event) and changes nothing.
    private mutating func raiseAlarmsAhead(of seq: Int64) throws -> [IncidentCommand] {
        var commands: [IncidentCommand] = []
        for record in try store.alarmEvents(after: max(seq, alarmsRaisedAheadThrough), limit: Self.batchSize)
        where !erasing.contains(record.event.home) {
            commands += alarmRule.evaluate(record.event, now: record.receivedAt)
            alarmsRaisedAheadThrough = record.seq
        }
        return commands
    }

    /// When an erasure has started or ended since the last step: forgets every home erased since, and notes which
    /// homes are being erased now (their events are skipped). `RulesStore.apply` refuses to write for them too, so
    /// an erasure that starts between this check and the write cannot be undone by it.
    private mutating func forgetErasedHomes() throws {
        let version = try store.erasureVersion()
        guard version != erasureVersion else { return }
        let erasures = try store.erasures(after: erasuresSeen)
        for erasure in erasures where erasure.seq > erasuresSeen || erasure.inProgress {
            loop.forget(home: erasure.home)
            dirty.remove(erasure.home)
        }
        erasing = Set(erasures.filter(\.inProgress).map(\.home))
        erasuresSeen = max(erasuresSeen, erasures.last?.seq ?? 0)
        erasureVersion = version
    }

    /// The registry's per-device offline allowances, and devices taken out of service, when it has changed.
    private mutating func reloadRegistryIfChanged(now: Date) throws -> [IncidentCommand] {
        guard try store.registryVersion() != registryVersion else { return [] }
        let book = loop.engine.settings
        let classes = Set(([book.defaults] + Array(book.homes.values)).flatMap(\.deviceClassOfflineAfter.keys))
        let snapshot = try store.registry(classes: classes)
        var overrides: [String: [String: TimeInterval]] = [:]
        for entry in snapshot.devices {
            let settings = book.settings(for: entry.home)
            if let allowance = settings.registryAllowance(type: entry.type, mains: entry.mains, interval: entry.interval) {
                overrides[entry.home, default: [:]][entry.device] = allowance
            }
        }
        let previous = book.deviceOverrides
        loop.setDeviceOverrides(overrides)
        var commands: [IncidentCommand] = []
        for removed in snapshot.removed where loop.engine.homes[removed.home]?.state.devices[removed.device] != nil {
            commands += loop.forgetDevice(home: removed.home, device: removed.device, at: now)
            dirty.insert(removed.home)
        }
        for home in Set(overrides.keys).union(previous.keys) where overrides[home] != previous[home] && loop.engine.homes[home] != nil {
            loop.homeChanged(home)
            dirty.insert(home)
        }
        registryVersion = snapshot.version
        return commands
    }

    private mutating func write(_ commands: [IncidentCommand], now: Date) throws -> [IncidentStore.Change] {
        var states: [String: HomeRuleState] = [:]
        var homeDeadlines: [String: Date?] = [:]
        for home in dirty {
            states[home] = loop.engine.homes[home]?.state
            homeDeadlines[home] = loop.deadline(of: home)
        }
        let changes = try store.apply(commands, checkpoint: evaluated, states: states, deadlines: homeDeadlines,
                                      erasuresSeenThrough: erasuresSeen, at: now)
        written = evaluated
        writtenAt = now
        dirty.removeAll()
        return changes
    }
}
