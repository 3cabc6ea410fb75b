/// Everything needed to connect one client to a broker.
///
/// ```swift
/// var configuration = MosquittoConfiguration(clientID: "carehub-hub", host: "127.0.0.1", port: 1883)
/// configuration.cleanSession = false          // keep QoS 1 messages queued while we are away
/// configuration.subscriptions = ["carehub/v1/+/+/event"]
/// ```
public struct MosquittoConfiguration: Sendable {
    public var clientID: String
    public var host: String
    public var port: Int
    /// Seconds between PINGREQs; also bounds how fast a dead connection is noticed.
    public var keepAlive: Int = 30
    public var credentials: Credentials?
    public var tls: TLS?
    /// `false` keeps a persistent session: the broker queues QoS 1 messages while the client is away.
    public var cleanSession: Bool = true
    public var will: Will?
    /// Published (QoS 1) each time the client is connected and subscribed: the counterpart of the will,
    /// e.g. a retained `online` status.
    public var birth: Will?
    public var reconnect = ReconnectPolicy()
    /// Topic filters subscribed at QoS 1 after every (re)connection.
    public var subscriptions: [String] = []
    /// How much one read burst may hold before the batch handler runs and the acknowledgements leave: the burst
    /// ends when no more bytes are waiting, or at `maximumMessages`, or `maximumDuration` after it began.
    public var batch = BatchLimits()
    /// Larger bursts while `isDraining()` says a backlog is being worked off: each commit rewrites every index page
    /// its messages touch, so a larger burst writes fewer pages a message. Nil keeps `batch` always.
    public var drainingBatch: BatchLimits?
    /// Asked before each burst (on the network thread) when `drainingBatch` is set.
    public var isDraining: @Sendable () -> Bool = { false }
    #if DEBUG
    /// **Test-only and deliberately wrong**: writes each burst's acknowledgements before the batch handler has
    /// stored it, so that the crash test can prove it detects that ordering.
    public var testOnlyAcknowledgeBeforeHandling = false
    #endif

    public init(clientID: String, host: String, port: Int) {
        self.clientID = clientID
        self.host = host
        self.port = port
    }

    public struct Credentials: Sendable {
        public var username: String
        public var password: String?
        public init(username: String, password: String?) {
            self.username = username
            self.password = password
        }
    }

    /// TLS with certificate verification; the broker's host name is always checked against its certificate.
    public struct TLS: Sendable {
        public var caFile: String
        public var certificateFile: String?
        public var keyFile: String?
        /// `tlsv1.2` or `tlsv1.3`: the oldest protocol version accepted.
        public var minimumVersion: String = "tlsv1.2"
        public init(caFile: String, certificateFile: String? = nil, keyFile: String? = nil, minimumVersion: String = "tlsv1.2") {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.minimumVersion = minimumVersion
        }
    }

    /// The message the broker publishes for us if we vanish without a clean disconnect.
    public struct Will: Sendable {
        public var topic: String
        public var payload: [UInt8]
        public var retain: Bool
        public init(topic: String, payload: String, retain: Bool) {
            self.topic = topic
            self.payload = Array(payload.utf8)
            self.retain = retain
        }
    }

    /// Capped exponential backoff between reconnection attempts.
    public struct ReconnectPolicy: Sendable {
        public var initialDelaySeconds: UInt32 = 1
        public var maximumDelaySeconds: UInt32 = 30
        public init(initialDelaySeconds: UInt32 = 1, maximumDelaySeconds: UInt32 = 30) {
            self.initialDelaySeconds = initialDelaySeconds
            self.maximumDelaySeconds = maximumDelaySeconds
        }
    }

    /// Bounds of one group-committed read burst.
    public struct BatchLimits: Sendable, Equatable {
        /// At most this many messages are stored but not yet acknowledged at any moment: what a crash can leave
        /// for the broker to redeliver (keep the hub's `DeliveryLog` several times larger). A burst fills only if
        /// the broker's `max_inflight_messages` lets that many messages be unacknowledged at once.
        public var maximumMessages: Int
        public var maximumDuration: Duration

        public init(maximumMessages: Int = 256, maximumDuration: Duration = .milliseconds(5)) {
            self.maximumMessages = max(1, maximumMessages)
            self.maximumDuration = maximumDuration
        }
    }
}
