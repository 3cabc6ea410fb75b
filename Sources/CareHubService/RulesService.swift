import CareHubCore
import CareHubStore
import Foundation
import Logging
import ServiceLifecycle

/// Reads events stored after the rules checkpoint, evaluates them, and writes the incident changes, their
/// outbox rows and the new checkpoint in one transaction. Woken by ingest; a periodic wake-up is a safety
/// net, never the only path.
public struct RulesService: Service {
    static let batchSize = 500
    /// A batch that changes no incident moves the checkpoint in memory only, and it is written at most this
    /// often: under load every write here is one more fsync competing with ingest. Evaluating a few
    /// already-seen events again after a crash is harmless, since they changed nothing.
    static let idleCheckpointInterval: Duration = .seconds(1)

    private let store: RulesStore
    private let clock: any HubClock
    private let logger: Logger
    private let newEvents: Doorbell
    private let newOutbox: Doorbell

    public init(store: RulesStore, clock: any HubClock, logger: Logger, newEvents: Doorbell, newOutbox: Doorbell) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.newEvents = newEvents
        self.newOutbox = newOutbox
    }

    /// Where evaluation stands: the last event evaluated, and the last one whose evaluation is on disk.
    struct Progress {
        var evaluated: Int64
        var written: Int64
        var writtenAt: ContinuousClock.Instant
    }

    public func run() async throws {
        var engine = RulesEngine()
        let start = try store.checkpoint()
        var progress = Progress(evaluated: start, written: start, writtenAt: .now)
        try await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let processed = try processBatch(engine: &engine, progress: &progress)
                if processed < Self.batchSize {
                    try writeCheckpointIfDue(&progress, force: false)
                    await newEvents.wait(upTo: processed == 0 ? Self.idleCheckpointInterval : .milliseconds(50))
                }
            }
        } onGracefulShutdown: {
            newEvents.ring()
        }
        // Whatever was stored before the shutdown is evaluated now, so nothing waits for the next start.
        while try processBatch(engine: &engine, progress: &progress) > 0 {}
        try writeCheckpointIfDue(&progress, force: true)
    }

    private func writeCheckpointIfDue(_ progress: inout Progress, force: Bool) throws {
        guard progress.evaluated > progress.written,
              force || ContinuousClock.now - progress.writtenAt >= Self.idleCheckpointInterval
        else { return }
        try store.apply([], checkpoint: progress.evaluated, at: clock.now)
        progress.written = progress.evaluated
        progress.writtenAt = .now
    }

    /// Evaluates one batch; returns how many events it covered.
    func processBatch(engine: inout RulesEngine, progress: inout Progress) throws -> Int {
        let records = try store.events(after: progress.evaluated, limit: Self.batchSize)
        guard let last = records.last else { return 0 }
        let now = clock.now
        var commands: [IncidentCommand] = []
        for record in records {
            commands += engine.handle(record.event, receivedAt: record.receivedAt)
        }
        progress.evaluated = last.seq
        guard !commands.isEmpty else { return records.count }
        let changes = try store.apply(commands, checkpoint: last.seq, at: now)
        progress.written = last.seq
        progress.writtenAt = .now
        for change in changes {
            switch change {
            case .opened(let id): logger.notice("Incident opened", metadata: ["incident.id": "\(id)"])
            case .joined(let id): logger.info("Repeat trigger joined open incident", metadata: ["incident.id": "\(id)"])
            case .resolved(let id): logger.info("Incident resolved automatically", metadata: ["incident.id": "\(id)"])
            case .nothingToResolve: break
            }
        }
        if !changes.isEmpty { newOutbox.ring() }
        return records.count
    }
}
