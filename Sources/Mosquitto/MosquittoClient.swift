import CMosquitto
import Dispatch
import Foundation
import Logging

/// One MQTT connection through libmosquitto in threaded mode, on a network thread this client owns, which
/// group-commits what it receives.
///
/// ```swift
/// let client = try MosquittoClient(configuration: configuration, logger: logger) { batch in
///     try store.commit(batch)     // runs on the network thread; the PUBACKs leave after it returns
/// }
/// client.start()
/// try await client.publish(topic: "carehub/v1/hub/status", payload: Array("online".utf8), retain: true)
/// client.stop()
/// ```
///
/// **Durability.** The network thread runs its own loop instead of `mosquitto_loop`: it reads a burst of
/// packets with `mosquitto_loop_read` (while bytes are waiting, up to `configuration.batch`), hands the burst's
/// messages to the batch handler, and only after the handler has returned lets `mosquitto_loop_write` send
/// anything. In threaded mode libmosquitto queues each QoS 1 PUBACK before calling the message callback and
/// writes it only from `mosquitto_loop_write`, so every acknowledgement of a burst leaves after the handler.
/// A handler that must not acknowledge (its store failed) must therefore never return: it ends the process.
///
/// **Threads.** The batch and state handlers run on the client's network thread, one at a time.
/// `start`, `stop` and `publish` may be called from any thread.
public final class MosquittoClient: @unchecked Sendable {
    // @unchecked because mutable state is guarded by `lock`, and the C handle is used only as
    // libmosquitto's threaded mode allows (publish/disconnect from any thread, the loop on ours).
    public typealias MessageHandler = @Sendable (MosquittoMessage) -> Void
    public typealias BatchHandler = @Sendable ([MosquittoMessage]) -> Void
    public typealias StateHandler = @Sendable (MosquittoConnectionState) -> Void

    let configuration: MosquittoConfiguration
    let logger: Logger
    let handle: OpaquePointer
    let batchHandler: BatchHandler
    let stateHandler: StateHandler

    let lock = NSLock()
    var pendingPublishes: [Int32: CheckedContinuation<Void, any Error>] = [:]
    var pendingAcknowledgements: [Int32: PublishAcknowledgement] = [:]
    var pendingSubscriptions: Set<Int32> = []
    var sessionPresent = false
    var reachedReady = false
    private var started = false
    private var stopping = false
    private let wakeUp = DispatchSemaphore(value: 0)
    private let loopFinished = DispatchSemaphore(value: 0)
    let loopWakeUp = LoopWakeUp()
    /// The current burst's messages, appended by the message callback; network thread only.
    var inbound: [MosquittoMessage] = []
    /// The header of the PUBLISH libmosquitto logged last (it logs each one just before its message callback);
    /// network thread only.
    var lastReceivedPublish: ReceivedPublishLine?

    /// Creates the client with a handler called once per message (each burst's acknowledgements still leave only
    /// after every message of the burst was handled); nothing touches the network until `start()`.
    public convenience init(
        configuration: MosquittoConfiguration,
        logger: Logger,
        onState stateHandler: @escaping StateHandler = { _ in },
        onMessage messageHandler: @escaping MessageHandler
    ) throws {
        try self.init(configuration: configuration, logger: logger, onState: stateHandler, onBatch: { batch in
            for message in batch { messageHandler(message) }
        })
    }

    /// Creates the client with a handler called once per read burst; nothing touches the network until `start()`.
    public init(
        configuration: MosquittoConfiguration,
        logger: Logger,
        onState stateHandler: @escaping StateHandler = { _ in },
        onBatch batchHandler: @escaping BatchHandler
    ) throws {
        MosquittoLibrary.ensureInitialised()
        guard let handle = mosquitto_new(configuration.clientID, configuration.cleanSession, nil) else {
            throw MosquittoError(code: Int32(MOSQ_ERR_NOMEM.rawValue), operation: "create client \(configuration.clientID)")
        }
        self.handle = handle
        self.configuration = configuration
        self.logger = logger
        self.batchHandler = batchHandler
        self.stateHandler = stateHandler
        do {
            try configure()
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        installCallbacks()
    }

    deinit {
        mosquitto_destroy(handle)
    }

    private func configure() throws {
        try MosquittoError.check(mosquitto_threaded_set(handle, true), "enable threaded mode")
        try MosquittoError.check(
            mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1), "disable Nagle's algorithm")
        if let credentials = configuration.credentials {
            try MosquittoError.check(
                mosquitto_username_pw_set(handle, credentials.username, credentials.password),
                "set username and password")
        }
        if let tls = configuration.tls {
            try MosquittoError.check(
                mosquitto_tls_set(handle, tls.caFile, nil, tls.certificateFile, tls.keyFile, nil),
                "load TLS files (CA \(tls.caFile))")
            try MosquittoError.check(
                mosquitto_tls_opts_set(handle, 1, tls.minimumVersion, nil),
                "set TLS options (minimum \(tls.minimumVersion))")
            try MosquittoError.check(mosquitto_tls_insecure_set(handle, false), "require host name verification")
        }
        if let will = configuration.will {
            try will.payload.withUnsafeBytes { bytes in
                try MosquittoError.check(
                    mosquitto_will_set(handle, will.topic, Int32(bytes.count), bytes.baseAddress, 1, will.retain),
                    "set last will on \(will.topic)")
            }
        }
    }

    /// Starts the network thread, which connects, subscribes and reconnects with capped exponential backoff
    /// until `stop()`. Returns at once; watch the state handler for `.ready`.
    public func start() {
        let shouldStart = lock.withLock { () -> Bool in
            guard !started else { return false }
            started = true
            return true
        }
        guard shouldStart else { return }
        let thread = Thread { [self] in
            runNetworkLoop()
            loopFinished.signal()
        }
        thread.name = "mqtt-\(configuration.clientID)"
        thread.start()
    }

    /// Disconnects cleanly and waits (at most `timeout`) for the network thread to finish. A message
    /// handler that is running completes first, and its acknowledgement is written before the DISCONNECT.
    @discardableResult
    public func stop(timeout: Duration = .seconds(4)) -> Bool {
        let wasRunning = lock.withLock { () -> Bool in
            let running = started && !stopping
            stopping = true
            return running
        }
        guard wasRunning else { return true }
        mosquitto_disconnect(handle)
        wakeUp.signal()
        loopWakeUp.signal()
        let finished = loopFinished.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .success
        failPendingPublishes(with: MosquittoError.noConnection)
        return finished
    }

    var isStopping: Bool { lock.withLock { stopping } }

    /// Connects, runs libmosquitto's loop, and on any failure waits with capped exponential backoff
    /// before reconnecting. Runs on the client's own thread until `stop()`.
    private func runNetworkLoop() {
        var delay = configuration.reconnect.initialDelaySeconds
        var firstAttempt = true
        while !isStopping {
            stateHandler(.connecting)
            lock.withLock { reachedReady = false }
            let connectCode = firstAttempt
                ? mosquitto_connect(handle, configuration.host, Int32(configuration.port), Int32(configuration.keepAlive))
                : mosquitto_reconnect(handle)
            firstAttempt = false
            if connectCode == Int32(MOSQ_ERR_SUCCESS.rawValue) {
                let loopCode = pumpUntilDisconnected()
                if isStopping { break }
                if sessionEstablished { delay = configuration.reconnect.initialDelaySeconds }
                let reason = MosquittoError(code: loopCode, operation: "connection").description
                logger.warning("MQTT connection lost; reconnecting", metadata: ["mqtt.reason": "\(reason)", "mqtt.retry_in_s": "\(delay)"])
                stateHandler(.disconnected(reason: reason))
            } else {
                let reason = MosquittoError(code: connectCode, operation: "connect to \(configuration.host):\(configuration.port)").description
                logger.warning("MQTT connect failed; retrying", metadata: ["mqtt.reason": "\(reason)", "mqtt.retry_in_s": "\(delay)"])
                stateHandler(.disconnected(reason: reason))
            }
            _ = wakeUp.wait(timeout: .now() + .seconds(Int(delay)))
            delay = min(delay * 2, configuration.reconnect.maximumDelaySeconds)
        }
        logger.info("MQTT client stopped", metadata: ["mqtt.client_id": "\(configuration.clientID)"])
    }

    private var sessionEstablished: Bool {
        lock.withLock { reachedReady }
    }

    /// Runs the group-committing loop (`MosquittoClient+Loop.swift`) until the connection ends; while stopping,
    /// keeps it going (bounded) so that the queued acknowledgements and the DISCONNECT reach the broker.
    private func pumpUntilDisconnected() -> Int32 {
        var code = Int32(MOSQ_ERR_SUCCESS.rawValue)
        var stopDeadline: ContinuousClock.Instant?
        while code == Int32(MOSQ_ERR_SUCCESS.rawValue) {
            code = loopOnce(timeoutMilliseconds: 200)
            if isStopping {
                let deadline = stopDeadline ?? ContinuousClock.now.advanced(by: .seconds(2))
                stopDeadline = deadline
                if ContinuousClock.now > deadline { break }
            }
        }
        return code
    }
}
