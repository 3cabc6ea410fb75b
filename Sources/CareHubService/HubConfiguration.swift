import CareHubCore
import CareHubStore
import Foundation
import Yams

/// The hub's settings, from a YAML file (see `deploy/carehub.example.yaml`), then command-line flags.
/// Every field has a default, so an empty file (or none) is a working local set-up.
public struct HubConfiguration: Sendable, Equatable {
    public var broker = Broker()
    public var database = DatabaseSettings()
    /// The IANA time zone given to homes registered automatically.
    public var timeZone = "Europe/London"
    public var registration = RegistrationMode.automatic
    public var clockSkew = ClockSkewPolicy()
    public var logLevel = "info"
    /// Rule settings: defaults for every home and per-home overrides (`rules:` and `homes:` in the file).
    public var rules = RuleSettingsBook()
    /// How long an incident may stay unacknowledged before it is escalated, per priority (`escalation:`).
    public var escalation = EscalationPolicy()
    /// Webhooks for incident alerts, and how long a notification may keep failing before a technical incident.
    public var webhooks: [WebhookSettings] = []
    public var notificationGiveUpAfter: TimeInterval = 15 * 60
    /// Other gateway dialects (Zigbee2MQTT, …) and how their messages map onto events (`gateways:`).
    public var gateways: [GatewayMapping] = []
    /// What one gateway or home may ask of the hub before its extra messages are only counted (`limits:`).
    public var limits = GatewayLimits()
    /// The HTTP listener for the console and API (`http:`); nil for none.
    public var http: HTTPSettings?

    /// One webhook. Its `name` (setting `name`, by default the URL's host and port) is how logs, incidents,
    /// `incidents show` and the outbox refer to it; the URL itself, which may carry a token, is never shown.
    public struct WebhookSettings: Sendable, Equatable {
        public var name: String
        public var url: String
        public var priorities: Set<Priority>
        public var secretFile: String?
        public var secretEnv: String?
        public var timeout: TimeInterval
    }

    public init() {}

    public struct Broker: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 1883
        /// Stable, so the broker keeps the hub's session (and queues its messages) across restarts.
        public var clientID = "carehub-hub"
        public var keepAlive = 30
        public var username: String?
        /// The password itself is never in the file: it is read from `passwordFile` or the environment
        /// variable named by `passwordEnv`.
        public var passwordFile: String?
        public var passwordEnv: String?
        public var tls: TLSSettings?
        /// A second, clean-session connection that stores alarms the moment they are published while the persistent
        /// session drains a backlog (`broker.live_lane`, on by default). It logs in as `username` + `-live` (an
        /// account of its own: the shipped broker allows one connection per account) with the same password.
        public var liveLane = true
        public init() {}
    }

    public struct TLSSettings: Sendable, Equatable {
        public var caFile: String
        public var certificateFile: String?
        public var keyFile: String?
        public var minimumVersion = "tlsv1.2"
        public init(caFile: String) { self.caFile = caFile }
    }

    public struct DatabaseSettings: Sendable, Equatable {
        public var path = "./var/carehub.sqlite"
        public var synchronous = SynchronousMode.full
        public init() {}
    }
}

/// A configuration file that could not be used, said in one sentence.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    /// Where in the file, as keys ("rules", "bathroom_minutes"), when the problem is a setting.
    public let path: [String]?
    /// The 1-based line of that setting, once looked up.
    public let line: Int?

    public init(_ message: String, path: [String]? = nil, line: Int? = nil) {
        self.message = message
        self.path = path
        self.line = line
    }

    public var description: String { message }
}
