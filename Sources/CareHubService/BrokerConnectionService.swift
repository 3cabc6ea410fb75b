import CareHubCore
import Foundation
import Logging
import Mosquitto
import ServiceLifecycle

/// Runs the MQTT client for the life of the hub: starts it, and on graceful shutdown announces the hub
/// offline and disconnects cleanly (a message being stored finishes first and is acknowledged).
public struct BrokerConnectionService: Service {
    private let client: MosquittoClient
    private let logger: Logger
    private let afterCleanStop: @Sendable () -> Void
    private let announcesOffline: Bool

    /// `afterCleanStop` runs once the client has disconnected cleanly, every acknowledgement sent. The live lane's
    /// connection does not announce the hub offline (`announcesOffline`): the persistent one does.
    public init(client: MosquittoClient, logger: Logger, announcesOffline: Bool = true, afterCleanStop: @escaping @Sendable () -> Void = {}) {
        self.client = client
        self.logger = logger
        self.announcesOffline = announcesOffline
        self.afterCleanStop = afterCleanStop
    }

    public func run() async throws {
        client.start()
        try? await gracefulShutdown()
        if announcesOffline {
            try? await client.publish(topic: Topic.hubStatus, payload: Array("offline".utf8), retain: true, timeout: .seconds(1))
        }
        if client.stop(timeout: .seconds(3)) {
            afterCleanStop()
        } else {
            logger.warning("MQTT client did not stop within 3 s")
        }
    }
}
