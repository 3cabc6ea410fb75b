import CareHubCore
import Logging
import Mosquitto
import ServiceLifecycle

/// Publishes a `SessionLag` probe through the hub's persistent session every second, until graceful shutdown.
struct SessionLagProbeService: Service {
    let client: MosquittoClient
    let lag: SessionLag
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let probe = lag.nextProbe() {
                    do {
                        try client.enqueuePublish(topic: Topic.sentinel, payload: probe)
                    } catch {
                        logger.debug("Could not publish the session probe", metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
