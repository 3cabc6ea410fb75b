import CareHubCore
import CareHubStore
import Foundation
import Yams

extension HubConfiguration {
    /// Reads a YAML configuration file. Unknown keys are errors (a typo must not silently become a default).
    public static func load(path: String) throws -> HubConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("Cannot read the configuration file \(path); check the path and its permissions.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("The configuration file \(path) is not UTF-8 text.")
        }
        return try parse(yaml: text, source: path)
    }

    public static func parse(yaml: String, source: String = "configuration") throws -> HubConfiguration {
        let file: ConfigurationFile
        do {
            file = try YAMLDecoder().decode(ConfigurationFile.self, from: yaml.isEmpty ? "{}" : yaml)
        } catch let error as DecodingError {
            let path = codingPath(of: error)
            let line = YAMLLocator.line(of: path, in: yaml)
            let place = line.map { " at line \($0)" } ?? ""
            throw ConfigurationError("The configuration file \(source) is invalid\(place): \(describe(error)).", path: path, line: line)
        } catch {
            throw ConfigurationError("The configuration file \(source) is not valid YAML: \(String(describing: error).replacingOccurrences(of: "\n", with: " ")).")
        }
        var configuration = HubConfiguration()
        do {
            try file.apply(to: &configuration, source: source)
        } catch let error as ConfigurationError {
            guard let path = error.path, let line = YAMLLocator.line(of: path, in: yaml) else { throw error }
            throw ConfigurationError(error.message.replacingOccurrences(of: "In \(source),", with: "In \(source) at line \(line),"),
                                     path: path, line: line)
        }
        return configuration
    }

    private static func codingPath(of error: DecodingError) -> [String] {
        error.yamlPath.filter { !$0.isEmpty }
    }

    private static func describe(_ error: DecodingError) -> String {
        error.sentence(path: codingPath(of: error))
    }
}

extension DecodingError {
    /// Where in a YAML document the error is: keys, and list indices as numbers (for `YAMLLocator`).
    var yamlPath: [String] {
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context), .keyNotFound(_, let context):
            return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
        @unknown default:
            return []
        }
    }

    /// The problem in words, naming the setting at `path`.
    func sentence(path: [String]) -> String {
        let place = path.isEmpty ? "the top level" : path.joined(separator: ".")
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(place) has the wrong type (\(context.debugDescription))"
        case .keyNotFound(let key, _):
            return "\(place) needs \(key.stringValue)"
        case .dataCorrupted(let context):
            return "\(place): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}

/// The YAML file's shape, with snake_case keys. Every field is optional.
struct ConfigurationFile: Decodable {
    var broker: BrokerSection?
    var database: DatabaseSection?
    var timezone: String?
    var registration: String?
    var clock_skew: ClockSkewSection?
    var log_level: String?
    var rules: RulesSection?
    var homes: [String: HomeSection]?
    var escalation: EscalationSection?
    var notifications: NotificationsSection?
    var gateways: [GatewaySection]?
    var limits: LimitsSection?
    var http: HTTPSection?

    /// Per-gateway and per-home limits (`GatewayLimits`).
    struct LimitsSection: Decodable {
        var devices_per_home: Int?
        var messages_per_second: Double?
        var burst: Double?
        var refused_bytes_per_day: Int64?
        var refused_records_per_day: Int64?
    }

    /// A gateway dialect to read: its mapping file (relative to this file's directory) and, for topics without
    /// a home in them, the home.
    struct GatewaySection: Decodable {
        var mapping: String
        var home: String?
    }

    struct EscalationSection: Decodable {
        var emergency_minutes: Double?
        var urgent_minutes: Double?
        var routine_minutes: Double?
        var technical_hours: Double?
    }

    struct BrokerSection: Decodable {
        var host: String?
        var port: Int?
        var client_id: String?
        var keepalive: Int?
        var username: String?
        var password_file: String?
        var password_env: String?
        var tls: TLSSection?
        var live_lane: Bool?
    }

    struct TLSSection: Decodable {
        var ca_file: String
        var cert_file: String?
        var key_file: String?
        var min_version: String?
    }

    struct DatabaseSection: Decodable {
        var path: String?
        var synchronous: String?
    }

    struct ClockSkewSection: Decodable {
        var max_ahead_seconds: Double?
        var max_behind_seconds: Double?
    }

    private enum Keys: String, CodingKey, CaseIterable {
        case broker, database, timezone, registration, clock_skew, log_level, rules, homes, escalation, notifications, gateways, limits, http
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(Keys.allCases.map(\.rawValue))
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(
                forKey: unknown, in: container, debugDescription: "unknown setting \"\(unknown.stringValue)\"")
        }
        broker = try container.decodeIfPresent(BrokerSection.self, forKey: AnyKey("broker"))
        database = try container.decodeIfPresent(DatabaseSection.self, forKey: AnyKey("database"))
        timezone = try container.decodeIfPresent(String.self, forKey: AnyKey("timezone"))
        registration = try container.decodeIfPresent(String.self, forKey: AnyKey("registration"))
        clock_skew = try container.decodeIfPresent(ClockSkewSection.self, forKey: AnyKey("clock_skew"))
        log_level = try container.decodeIfPresent(String.self, forKey: AnyKey("log_level"))
        rules = try container.decodeIfPresent(RulesSection.self, forKey: AnyKey("rules"))
        homes = try container.decodeIfPresent([String: HomeSection].self, forKey: AnyKey("homes"))
        escalation = try container.decodeIfPresent(EscalationSection.self, forKey: AnyKey("escalation"))
        notifications = try container.decodeIfPresent(NotificationsSection.self, forKey: AnyKey("notifications"))
        gateways = try container.decodeIfPresent([GatewaySection].self, forKey: AnyKey("gateways"))
        limits = try container.decodeIfPresent(LimitsSection.self, forKey: AnyKey("limits"))
        http = try container.decodeIfPresent(HTTPSection.self, forKey: AnyKey("http"))
    }

    /// Loads each gateway's mapping file.
    func applyGateways(to configuration: inout HubConfiguration, source: String) throws {
        let directory = URL(fileURLWithPath: source).deletingLastPathComponent()
        configuration.gateways = try (gateways ?? []).enumerated().map { index, entry in
            let path = entry.mapping.hasPrefix("/") ? entry.mapping : directory.appendingPathComponent(entry.mapping).path
            var mapping = try GatewayMapping.load(path: path)
            if let home = entry.home {
                if let problem = Identifier.homeProblem(home) {
                    throw ConfigurationError("In \(source), gateways.\(index).home cannot be used: \(problem).",
                                             path: ["gateways", String(index), "home"])
                }
                mapping.defaultHome = home
            }
            return mapping
        }
    }

    func apply(to configuration: inout HubConfiguration, source: String) throws {
        try applyGateways(to: &configuration, source: source)
        if let broker {
            configuration.broker.host = broker.host ?? configuration.broker.host
            configuration.broker.port = broker.port ?? configuration.broker.port
            // Without a client id of its own, a hub with an account uses the account's name: the shipped broker
            // (use_username_as_clientid) gives it that session whatever it asks for, so the log then tells the truth.
            configuration.broker.clientID = broker.client_id ?? broker.username ?? configuration.broker.clientID
            configuration.broker.keepAlive = broker.keepalive ?? configuration.broker.keepAlive
            configuration.broker.username = broker.username
            configuration.broker.passwordFile = broker.password_file
            configuration.broker.passwordEnv = broker.password_env
            configuration.broker.liveLane = broker.live_lane ?? configuration.broker.liveLane
            if let tls = broker.tls {
                var settings = HubConfiguration.TLSSettings(caFile: tls.ca_file)
                settings.certificateFile = tls.cert_file
                settings.keyFile = tls.key_file
                settings.minimumVersion = tls.min_version ?? settings.minimumVersion
                guard ["tlsv1.2", "tlsv1.3"].contains(settings.minimumVersion) else {
                    throw ConfigurationError("In \(source), broker.tls.min_version must be tlsv1.2 or tlsv1.3.")
                }
                configuration.broker.tls = settings
            }
        }
        if let database {
            configuration.database.path = database.path ?? configuration.database.path
            if let mode = database.synchronous {
                guard let parsed = SynchronousMode(rawValue: mode.lowercased()) else {
                    throw ConfigurationError("In \(source), database.synchronous must be full or normal.")
                }
                configuration.database.synchronous = parsed
            }
        }
        if let timezone {
            try HubConfiguration.validateTimeZone(timezone, source: source)
            configuration.timeZone = timezone
        }
        if let registration {
            guard let mode = RegistrationMode(rawValue: registration) else {
                throw ConfigurationError("In \(source), registration must be automatic or strict.")
            }
            configuration.registration = mode
        }
        if let http {
            configuration.http = try http.settings(source: source)
        }
        if let limits {
            try limits.apply(to: &configuration.limits, source: source)
        }
        if let clock_skew {
            configuration.clockSkew.maximumAhead = clock_skew.max_ahead_seconds ?? configuration.clockSkew.maximumAhead
            configuration.clockSkew.maximumBehind = clock_skew.max_behind_seconds ?? configuration.clockSkew.maximumBehind
        }
        configuration.logLevel = log_level ?? configuration.logLevel
        var defaults = RuleSettings(timeZone: configuration.timeZone)
        try rules?.apply(to: &defaults, place: "rules", source: source)
        var overrides: [String: RuleSettings] = [:]
        for (home, section) in homes ?? [:] {
            if let problem = Identifier.homeProblem(home) {
                throw ConfigurationError("In \(source), homes.\(home.prefix(80)) cannot be used: \(problem).")
            }
            var settings = defaults
            if let zone = section.timezone {
                try HubConfiguration.validateTimeZone(zone, source: source)
                settings.timeZone = zone
            }
            try section.rules?.apply(to: &settings, place: "homes.\(home).rules", source: source)
            overrides[home] = settings
        }
        configuration.rules = RuleSettingsBook(defaults: defaults, homes: overrides)
        if let escalation {
            for (key, value) in [("emergency_minutes", escalation.emergency_minutes), ("urgent_minutes", escalation.urgent_minutes),
                                 ("routine_minutes", escalation.routine_minutes), ("technical_hours", escalation.technical_hours)] {
                if let value, !(value > 0 && value.isFinite) {
                    throw ConfigurationError("In \(source), escalation.\(key) must be a positive number.", path: ["escalation", key])
                }
            }
            configuration.escalation.emergency = escalation.emergency_minutes.map { $0 * 60 } ?? configuration.escalation.emergency
            configuration.escalation.urgent = escalation.urgent_minutes.map { $0 * 60 } ?? configuration.escalation.urgent
            configuration.escalation.routine = escalation.routine_minutes.map { $0 * 60 } ?? configuration.escalation.routine
            configuration.escalation.technical = escalation.technical_hours.map { $0 * 3600 } ?? configuration.escalation.technical
        }
        try notifications?.apply(to: &configuration, source: source)
    }
}

extension HubConfiguration {
    static func validateTimeZone(_ identifier: String, source: String) throws {
        guard TimeZone(identifier: identifier) != nil else {
            throw ConfigurationError("In \(source), \"\(identifier)\" is not an IANA time zone such as Europe/London.")
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension ConfigurationFile.LimitsSection {
    func apply(to limits: inout GatewayLimits, source: String) throws {
        func positive<T: Comparable & Numeric>(_ value: T?, _ key: String) throws -> T? {
            guard let value else { return nil }
            guard value > 0 else { throw ConfigurationError("In \(source), limits.\(key) must be more than 0.", path: ["limits", key]) }
            return value
        }
        limits.devicesPerHome = try positive(devices_per_home, "devices_per_home") ?? limits.devicesPerHome
        limits.messagesPerSecond = try positive(messages_per_second, "messages_per_second") ?? limits.messagesPerSecond
        limits.burst = try positive(burst, "burst") ?? limits.burst
        limits.refusedBytesPerDay = try positive(refused_bytes_per_day, "refused_bytes_per_day") ?? limits.refusedBytesPerDay
        limits.refusedRecordsPerDay = try positive(refused_records_per_day, "refused_records_per_day") ?? limits.refusedRecordsPerDay
    }
}
