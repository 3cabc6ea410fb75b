import CareHubCore
import CareHubStore
import Foundation
import Logging
import ServiceLifecycle

/// Re-notifies incidents nobody has acknowledged in time, raising their escalation level, at least once a
/// second (incidents opened by the rules or acknowledged by staff change what is due).
public struct EscalationService: Service {
    private let store: EscalationStore
    private let policy: EscalationPolicy
    private let clock: any HubClock
    private let logger: Logger
    private let newOutbox: Doorbell

    public init(store: EscalationStore, policy: EscalationPolicy, clock: any HubClock, logger: Logger, newOutbox: Doorbell) {
        self.store = store
        self.policy = policy
        self.clock = clock
        self.logger = logger
        self.newOutbox = newOutbox
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let escalated = try store.escalateDue(at: clock.now, policy: policy)
            for id in escalated {
                logger.warning("Incident not acknowledged in time: escalated", metadata: ["incident.id": "\(id)"])
            }
            if !escalated.isEmpty { newOutbox.ring() }
            let wait = try store.nextDue().map { max(0.05, min(1, $0.timeIntervalSince(clock.now))) } ?? 1
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }
}
