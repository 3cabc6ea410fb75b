import CareHubCore
import CareHubStore
import Foundation
import Logging
import ServiceLifecycle

/// Runs the rules: evaluates events stored after the checkpoint, fires each home's deadlines on the hub's
/// clock (once the broker's backlog is in), and writes incident changes, outbox rows, rule state, timers
/// and the checkpoint in one transaction. Woken by ingest; otherwise it wakes at the next deadline.
public struct RulesService: Service {
    private let store: RulesStore
    private let settings: RuleSettingsBook
    private let clock: any HubClock
    private let logger: Logger
    private let newEvents: Doorbell
    private let newOutbox: Doorbell
    private let backlog: BacklogGate?
    /// Told how long each step took and how far the rules have evaluated (readiness), when the hub is observed.
    private let operations: HubOperations?

    public init(store: RulesStore, settings: RuleSettingsBook = RuleSettingsBook(), clock: any HubClock, logger: Logger,
                newEvents: Doorbell, newOutbox: Doorbell, backlog: BacklogGate? = nil, operations: HubOperations? = nil) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.newEvents = newEvents
        self.newOutbox = newOutbox
        self.backlog = backlog
        self.operations = operations
    }

    public func run() async throws {
        var runner = try RulesRunner(store: store, settings: settings, now: clock.now)
        for (home, events) in runner.rebuilt {
            logger.error("A home's saved rule state could not be read; it was rebuilt from the home's events of the last 7 days", metadata: [
                "home.id": "\(home)", "rules.events_read": "\(events)",
            ])
        }
        let timers = runner.deadlineCount()
        logger.info("Rules running", metadata: [
            "rules.homes": "\(runner.loop.engine.homes.count)", "rules.timers": "\(timers)",
            "rules.state_read": "\(runner.startup.read)", "rules.state_restore": "\(runner.startup.restore)",
        ])
        operations?.rules.set(runner.evaluatedEventSeq)
        defer { operations?.rules.set(nil) }
        try await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let timersMayFire = backlog?.timersMayFire ?? true
                let started = DispatchTime.now().uptimeNanoseconds
                let (processed, changes) = try runner.step(now: clock.now, timersMayFire: timersMayFire)
                operations?.metrics.recordRulesStep(nanoseconds: Int64(DispatchTime.now().uptimeNanoseconds - started))
                operations?.rules.set(runner.evaluatedEventSeq)
                report(changes)
                if processed < RulesRunner.batchSize {
                    await newEvents.wait(upTo: timersMayFire ? waitTime(&runner) : .seconds(1))
                }
            }
        } onGracefulShutdown: {
            newEvents.ring()
        }
        // Evaluate what was stored before the shutdown (for at most two seconds: SIGTERM must end the hub within
        // five) and write it with the checkpoint; anything left is evaluated at the next start.
        let deadline = ContinuousClock.now.advanced(by: .seconds(2))
        while true {
            let (processed, changes) = try runner.step(now: clock.now, timersMayFire: false, forceWrite: true)
            report(changes)
            if processed == 0 || ContinuousClock.now > deadline { break }
        }
    }

    private func waitTime(_ runner: inout RulesRunner) -> Duration {
        let cap = Duration.seconds(1)
        guard let next = runner.nextDeadline() else { return cap }
        let seconds = next.timeIntervalSince(clock.now)
        return seconds <= 0 ? .milliseconds(50) : min(cap, .milliseconds(Int(seconds * 1000) + 1))
    }

    private func report(_ changes: [IncidentStore.Change]) {
        for change in changes {
            switch change {
            case .opened(let id): logger.notice("Incident opened", metadata: ["incident.id": "\(id)"])
            case .joined(let id): logger.info("Repeat trigger joined open incident", metadata: ["incident.id": "\(id)"])
            case .resolved(let id): logger.info("Incident resolved automatically", metadata: ["incident.id": "\(id)"])
            case .nothingToResolve: break
            }
        }
        if !changes.isEmpty { newOutbox.ring() }
    }
}
