/// A message delivered by the broker, copied out of libmosquitto's buffers.
public struct MosquittoMessage: Sendable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int32
    public var retain: Bool
    /// The PUBLISH packet's DUP flag: true when the broker sent this message before (a redelivery after a reconnect,
    /// or a copy of one the hub received but never stored), false on its first transmission; nil when libmosquitto
    /// did not report it (`ReceivedPublishLine`).
    public var duplicateFlag: Bool?
    /// The PUBLISH packet's identifier (QoS 1 and 2 only). A broker resending an unacknowledged message to a persistent
    /// session keeps its original identifier (MQTT 3.1.1 [MQTT-4.4.0-1]), and no two messages in flight share one.
    public var packetID: Int32?

    public init(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false, duplicateFlag: Bool? = false, packetID: Int32? = nil) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.duplicateFlag = duplicateFlag
        self.packetID = packetID
    }
}

/// Where a client's connection stands; reported to the client's state handler as it changes.
public enum MosquittoConnectionState: Sendable, Equatable {
    case connecting
    /// Connected and every configured subscription acknowledged by the broker.
    case ready(sessionPresent: Bool)
    case disconnected(reason: String)
    /// The broker refused the connection (bad credentials, not authorised); retried with backoff.
    case refused(reason: String)
}
