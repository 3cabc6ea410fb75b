import CMosquitto

/// A libmosquitto result code, with the library's own description.
///
/// ```swift
/// do { try client.start() } catch let error as MosquittoError where error == .connectionRefused { … }
/// ```
public struct MosquittoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The raw `MOSQ_ERR_*` value.
    public let code: Int32
    /// What the library was asked to do when it failed, e.g. "subscribe to carehub/v1/+/+/event".
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var description: String {
        let reason = String(cString: mosquitto_strerror(code))
        return "MQTT \(operation) failed: \(reason) (code \(code))."
    }

    public static func == (lhs: MosquittoError, rhs: MosquittoError) -> Bool { lhs.code == rhs.code }

    public static let noConnection = MosquittoError(code: Int32(MOSQ_ERR_NO_CONN.rawValue), operation: "request")
    public static let connectionRefused = MosquittoError(code: Int32(MOSQ_ERR_CONN_REFUSED.rawValue), operation: "connect")
    public static let tls = MosquittoError(code: Int32(MOSQ_ERR_TLS.rawValue), operation: "TLS handshake")

    /// Throws when `code` is not `MOSQ_ERR_SUCCESS`.
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(MosquittoError) {
        guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
            throw MosquittoError(code: code, operation: operation())
        }
    }
}

/// A publish whose acknowledgement did not arrive in time.
public struct MosquittoPublishTimeout: Error, Sendable, CustomStringConvertible {
    public let topic: String
    public let timeout: Duration
    public var description: String { "MQTT publish to \(topic) was not acknowledged within \(timeout)." }
}
