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

    public func run() async throws {
        var engine = RulesEngine()
        var checkpoint = try store.checkpoint()
        try await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let processed = try processBatch(engine: &engine, checkpoint: &checkpoint)
                if processed < Self.batchSize {
                    await newEvents.wait(upTo: .seconds(5))
                }
            }
        } onGracefulShutdown: {
            newEvents.ring()
        }
        // Whatever was stored before the shutdown is evaluated now, so nothing waits for the next start.
        while try processBatch(engine: &engine, checkpoint: &checkpoint) > 0 {}
    }

    /// Evaluates one batch; returns how many events it covered.
    func processBatch(engine: inout RulesEngine, checkpoint: inout Int64) throws -> Int {
        let records = try store.events(after: checkpoint, limit: Self.batchSize)
        guard let last = records.last else { return 0 }
        let now = clock.now
        var commands: [IncidentCommand] = []
        for record in records {
            commands += engine.handle(record.event, now: now)
        }
        let changes = try store.apply(commands, checkpoint: last.seq, at: now)
        checkpoint = last.seq
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
