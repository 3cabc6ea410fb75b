/// How another gateway dialect's MQTT messages become contract events (contract section 1: "mapped onto the
/// same events by configuration, never by editing code"). Loaded from a mapping file (`deploy/mappings/`,
/// `docs/gateways.md`); `translate` is pure.
public struct GatewayMapping: Sendable, Equatable {
    /// The dialect's name, for logs and event ids (`zigbee2mqtt`, `tasmota`, …).
    public var dialect: String
    /// Checked in order; the first route whose topic matches decides what the message is.
    public var routes: [Route]
    /// How a state message's keys become events (a route may have its own).
    public var fields: [Field]
    /// Where the battery level (0–100, a number or numeric text) is, attached to the message's events.
    public var battery: JSONPointer?
    /// Where the radio link quality is (shown in `carehub devices list`).
    public var linkQuality: JSONPointer?
    /// Where the device's own time stamp is: RFC 3339 text, or epoch milliseconds or seconds.
    public var time: JSONPointer?
    /// How an availability payload reads (`online` / `{"state":"online"}`).
    public var status: StatusReading
    /// A message that yields no event still proves the device alive: it is stored as a `heartbeat`.
    public var heartbeat: Bool
    /// Within this many milliseconds a repeated value (or an identical message) is the same report again.
    public var duplicateWindow: Int64
    /// The MQTT filters that receive every route's topics (none covering another).
    public private(set) var subscriptions: [String]
    /// The home of messages whose topic has no `{home}` capture and whose device the registry does not know
    /// (a single-home installation on Zigbee2MQTT's plain `zigbee2mqtt` base topic). Set by the hub's
    /// configuration, not by the mapping file.
    public var defaultHome: String?

    public init(dialect: String, routes: [Route], fields: [Field], battery: JSONPointer? = nil, linkQuality: JSONPointer? = nil,
                time: JSONPointer? = nil, status: StatusReading = StatusReading(), heartbeat: Bool = true, duplicateWindow: Int64 = 5000) {
        self.dialect = dialect
        self.routes = routes
        self.fields = fields
        self.battery = battery
        self.linkQuality = linkQuality
        self.time = time
        self.status = status
        self.heartbeat = heartbeat
        self.duplicateWindow = duplicateWindow
        var filters: [String] = []
        for filter in routes.map(\.topic.subscriptionFilter) where !filters.contains(filter) {
            filters.append(filter)
        }
        subscriptions = filters.filter { filter in
            !filters.contains { $0 != filter && TopicPattern.filter($0, covers: filter) }
        }
    }

    public struct Route: Sendable, Equatable {
        public var topic: TopicPattern
        public var message: MessageKind
        public var payload: PayloadForm
        /// A plain payload becomes the object `{wrap: payload}` (Zigbee2MQTT's legacy `<name>/action` topic).
        public var wrap: String?
        /// This route's own fields, replacing the mapping's.
        public var fields: [Field]?

        public init(topic: TopicPattern, message: MessageKind, payload: PayloadForm = .json, wrap: String? = nil, fields: [Field]? = nil) {
            self.topic = topic
            self.message = message
            self.payload = payload
            self.wrap = wrap
            self.fields = fields
        }
    }

    public enum MessageKind: String, Sendable, CaseIterable {
        /// A device's readings.
        case state
        /// The gateway's own online/offline (Zigbee2MQTT `bridge/state`): like `carehub/v1/<home>/gateway/status`.
        case gatewayStatus = "gateway_status"
        /// One device's availability (Zigbee2MQTT `<name>/availability`).
        case deviceStatus = "device_status"
        /// Received but not about the home (bridge logs, commands to devices).
        case ignore
    }

    public enum PayloadForm: String, Sendable, CaseIterable {
        /// A JSON object; anything else is refused.
        case json
        /// Plain text, taken as one string.
        case text
        /// JSON when it parses, otherwise plain text (`Online`, `open`, `23.5`).
        case auto
    }

    /// One key of a state message and the event it makes.
    public struct Field: Sendable, Equatable {
        public var key: JSONPointer
        public var type: EventType
        /// Raw value (as text: `true`, `emergency`, `23.5`) → contract value. Without a table, booleans, numbers
        /// and the type's own words pass as they are. A raw value not in the table makes no event.
        public var values: [String: EventValue]?
        /// Raw values that are an event every time they arrive (a PIR's `true`, a button's `single`); any other
        /// value is an event only when it differs from the last value seen, because many gateways repeat
        /// their whole cached state in every message.
        public var everyTime: EveryTime
        /// The first value ever seen for a device sets the baseline and makes no event (a door contact's
        /// first report is not someone using the door).
        public var firstSeenIsBaseline: Bool
        /// Where a self-test flag is (`/test`): the event is kept as a test and does not move the baseline.
        public var test: JSONPointer?
        /// Multiplies numbers (a reading in tenths of a degree: 0.1).
        public var scale: Double?

        public init(key: JSONPointer, type: EventType, values: [String: EventValue]? = nil, everyTime: EveryTime? = nil,
                    firstSeenIsBaseline: Bool = false, test: JSONPointer? = nil, scale: Double? = nil) {
            self.key = key
            self.type = type
            self.values = values
            self.everyTime = everyTime ?? Self.defaultEveryTime(for: type)
            self.firstSeenIsBaseline = firstSeenIsBaseline
            self.test = test
            self.scale = scale
        }

        /// Readings and momentary events repeat; states (door, motion cleared, leak) count on change.
        public static func defaultEveryTime(for type: EventType) -> EveryTime {
            switch type.expectedValue {
            case .none, .number: .all
            case .boolean, .oneOf: .values([])
            }
        }

        /// The name under which the device's last value of this field is remembered.
        var memoryKey: String { "\(type.rawValue)\(key.description)" }
    }

    public enum EveryTime: Sendable, Equatable {
        case all
        case values(Set<String>)

        func contains(_ raw: String) -> Bool {
            switch self {
            case .all: true
            case .values(let set): set.contains(raw)
            }
        }
    }

    public struct StatusReading: Sendable, Equatable {
        /// Where the word is in a JSON status (`/state`); a plain payload is the word itself.
        public var key: JSONPointer
        public var online: Set<String>
        public var offline: Set<String>

        public init(key: JSONPointer = JSONPointer.state, online: Set<String> = ["online"], offline: Set<String> = ["offline"]) {
            self.key = key
            self.online = online
            self.offline = offline
        }
    }

    /// The first route matching `topic`, with what it captured.
    public func route(for topic: String) -> (route: Route, match: TopicPattern.Match)? {
        for route in routes {
            if let match = route.topic.match(topic) { return (route, match) }
        }
        return nil
    }
}

extension JSONPointer {
    public static let state = JSONPointer(uncheckedTokens: ["state"])

    init(uncheckedTokens: [String]) {
        tokens = uncheckedTokens
        description = "/" + uncheckedTokens.joined(separator: "/")
    }
}
