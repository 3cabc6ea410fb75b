import CareHubCore
import Foundation
import Yams

extension GatewayMapping {
    /// Reads a mapping file (`deploy/mappings/zigbee2mqtt.yaml`; the format is in `docs/gateways.md`).
    /// Every mistake is one sentence naming the file and, where it can, the line.
    public static func load(path: String) throws -> GatewayMapping {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("Cannot read the gateway mapping file \(path); check the path and its permissions.")
        }
        return try parse(yaml: text, source: path)
    }

    public static func parse(yaml: String, source: String) throws -> GatewayMapping {
        if let unknown = MappingFile.unknownKey(in: yaml) {
            let place = YAMLLocator.line(of: unknown.path, in: yaml).map { " at line \($0)" } ?? ""
            throw ConfigurationError("In the gateway mapping \(source)\(place), \"\(unknown.key)\" is not a setting (a misspelt key must not silently become a default).")
        }
        let file: MappingFile
        do {
            file = try YAMLDecoder().decode(MappingFile.self, from: yaml)
        } catch let error as DecodingError {
            let path = error.yamlPath
            let place = YAMLLocator.line(of: path, in: yaml).map { " at line \($0)" } ?? ""
            throw ConfigurationError("The gateway mapping \(source) is invalid\(place): \(error.sentence(path: path)).")
        } catch {
            throw ConfigurationError("The gateway mapping \(source) is not valid YAML: \(String(describing: error).replacingOccurrences(of: "\n", with: " ")).")
        }
        do {
            return try file.mapping()
        } catch let error as LocatedMappingError {
            let place = YAMLLocator.line(of: error.path, in: yaml).map { " at line \($0)" } ?? ""
            throw ConfigurationError("In the gateway mapping \(source)\(place), \(error.message).")
        }
    }
}

/// A mapping mistake with where it is (keys and list indices), for the line number.
struct LocatedMappingError: Error {
    var message: String
    var path: [String]
}

/// The mapping file's shape, with snake_case keys.
struct MappingFile: Decodable {
    var dialect: String
    var routes: [RouteEntry]
    var fields: [FieldEntry]?
    var battery: String?
    var link_quality: String?
    var time: String?
    var status: StatusEntry?
    var heartbeat: Bool?
    var duplicate_window_seconds: Double?

    struct RouteEntry: Decodable {
        var topic: String
        var message: String
        var payload: String?
        var wrap: String?
        var fields: [FieldEntry]?
    }

    struct FieldEntry: Decodable {
        var key: String
        var type: String
        var values: ValueTable?
        var every_time: EveryTimeEntry?
        var first_seen: String?
        var test: String?
        var scale: Double?
    }

    struct StatusEntry: Decodable {
        var key: String?
        var online: [Scalar]
        var offline: [Scalar]
    }

    /// A YAML scalar as the text it stands for (`true`, `23.5`, `open`).
    struct Scalar: Decodable {
        var text: String
        var value: EventValue

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                (text, value) = (flag ? "true" : "false", .boolean(flag))
            } else if let number = try? container.decode(Double.self) {
                (text, value) = (JSONText.number(number), .number(number))
            } else if container.decodeNil() {
                (text, value) = ("", .none)
            } else {
                let word = try container.decode(String.self)
                (text, value) = (word, .text(word))
            }
        }
    }

    /// `{raw: value, …}`, or a list of raw values for types without a value (a pendant's `emergency`, `sos`).
    enum ValueTable: Decodable {
        case map([String: Scalar])
        case list([Scalar])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let list = try? container.decode([Scalar].self) {
                self = .list(list)
            } else {
                self = .map(try container.decode([String: Scalar].self))
            }
        }
    }

    enum EveryTimeEntry: Decodable {
        case all
        case values([Scalar])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let word = try? container.decode(String.self), word == "all" {
                self = .all
            } else {
                self = .values(try container.decode([Scalar].self))
            }
        }
    }

    static let topKeys: Set<String> = ["dialect", "routes", "fields", "battery", "link_quality", "time", "status", "heartbeat", "duplicate_window_seconds"]
    static let routeKeys: Set<String> = ["topic", "message", "payload", "wrap", "fields"]
    static let fieldKeys: Set<String> = ["key", "type", "values", "every_time", "first_seen", "test", "scale"]
    static let statusKeys: Set<String> = ["key", "online", "offline"]

    /// The first key the format does not know, with where it is.
    static func unknownKey(in yaml: String) -> (key: String, path: [String])? {
        guard let root = try? Yams.compose(yaml: yaml), let top = root.mapping else { return nil }
        func check(_ node: Node?, _ allowed: Set<String>, _ path: [String]) -> (key: String, path: [String])? {
            guard let mapping = node?.mapping else { return nil }
            for (key, _) in mapping {
                guard let name = key.string, allowed.contains(name) else { return (key.string ?? "?", path + [key.string ?? "?"]) }
            }
            return nil
        }
        func checkFields(_ node: Node?, _ path: [String]) -> (key: String, path: [String])? {
            for (index, field) in (node?.sequence ?? []).enumerated() {
                if let found = check(field, fieldKeys, path + [String(index)]) { return found }
            }
            return nil
        }
        if let found = check(root, topKeys, []) { return found }
        if let found = check(top["status"], statusKeys, ["status"]) { return found }
        if let found = checkFields(top["fields"], ["fields"]) { return found }
        for (index, route) in (top["routes"]?.sequence ?? []).enumerated() {
            if let found = check(route, routeKeys, ["routes", String(index)]) { return found }
            if let found = checkFields(route.mapping?["fields"], ["routes", String(index), "fields"]) { return found }
        }
        return nil
    }

    func mapping() throws -> GatewayMapping {
        guard !dialect.isEmpty, Identifier.isValid(dialect) else {
            throw LocatedMappingError(message: "dialect must be a short name of A-Z a-z 0-9 _ . -", path: ["dialect"])
        }
        guard !routes.isEmpty else { throw LocatedMappingError(message: "routes must list at least one topic", path: ["routes"]) }
        let fields = try Self.fields(self.fields ?? [], path: ["fields"])
        var routes: [GatewayMapping.Route] = []
        for (index, entry) in self.routes.enumerated() {
            routes.append(try entry.route(path: ["routes", String(index)]))
        }
        var status = GatewayMapping.StatusReading()
        if let entry = self.status {
            status = GatewayMapping.StatusReading(
                key: try Self.pointer(entry.key ?? "/state", path: ["status", "key"]),
                online: Set(entry.online.map(\.text)), offline: Set(entry.offline.map(\.text)))
        }
        let window = duplicate_window_seconds ?? 5
        guard window >= 0, window <= 3600 else {
            throw LocatedMappingError(message: "duplicate_window_seconds must be between 0 and 3600", path: ["duplicate_window_seconds"])
        }
        return GatewayMapping(
            dialect: dialect, routes: routes, fields: fields,
            battery: try battery.map { try Self.pointer($0, path: ["battery"]) },
            linkQuality: try link_quality.map { try Self.pointer($0, path: ["link_quality"]) },
            time: try time.map { try Self.pointer($0, path: ["time"]) },
            status: status, heartbeat: heartbeat ?? true, duplicateWindow: Int64(window * 1000))
    }

    static func fields(_ entries: [FieldEntry], path: [String]) throws -> [GatewayMapping.Field] {
        var fields: [GatewayMapping.Field] = []
        for (index, entry) in entries.enumerated() {
            fields.append(try entry.field(path: path + [String(index)]))
        }
        return fields
    }

    static func pointer(_ text: String, path: [String]) throws -> JSONPointer {
        do {
            return try JSONPointer(text)
        } catch {
            throw LocatedMappingError(message: error.message, path: path)
        }
    }
}

extension MappingFile.RouteEntry {
    func route(path: [String]) throws -> GatewayMapping.Route {
        let pattern: TopicPattern
        do {
            pattern = try TopicPattern(topic)
        } catch {
            throw LocatedMappingError(message: error.message, path: path + ["topic"])
        }
        guard let kind = GatewayMapping.MessageKind(rawValue: message) else {
            let choices = GatewayMapping.MessageKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw LocatedMappingError(message: "message \"\(message)\" is not one of \(choices)", path: path + ["message"])
        }
        let form = payload.flatMap(GatewayMapping.PayloadForm.init(rawValue:)) ?? (kind == .state ? .json : .auto)
        if let payload, GatewayMapping.PayloadForm(rawValue: payload) == nil {
            throw LocatedMappingError(message: "payload \"\(payload)\" is not json, text or auto", path: path + ["payload"])
        }
        if kind == .state || kind == .deviceStatus, !pattern.capturesDevice {
            throw LocatedMappingError(message: "the topic \"\(topic)\" needs {device} or {device...} for a \(kind.rawValue) message", path: path + ["topic"])
        }
        let fields = try fields.map { entries in try MappingFile.fields(entries, path: path + ["fields"]) }
        return GatewayMapping.Route(topic: pattern, message: kind, payload: form, wrap: wrap, fields: fields)
    }
}

extension MappingFile.FieldEntry {
    func field(path: [String]) throws -> GatewayMapping.Field {
        guard let eventType = EventType(rawValue: type) else {
            throw LocatedMappingError(message: "type \"\(type)\" is not a contract event type (\(EventType.allCases.map(\.rawValue).joined(separator: ", ")))",
                                      path: path + ["type"])
        }
        var table: [String: EventValue]?
        switch values {
        case nil: table = nil
        case .list(let raws):
            guard eventType.expectedValue == .none else {
                throw LocatedMappingError(message: "a list of values suits only types without a value (pendant, pullcord, fall, heartbeat); give raw: value pairs for \(type)",
                                          path: path + ["values"])
            }
            table = Dictionary(raws.map { ($0.text, EventValue.none) }, uniquingKeysWith: { first, _ in first })
        case .map(let pairs):
            var built: [String: EventValue] = [:]
            for (raw, scalar) in pairs {
                guard let value = Self.contractValue(scalar, for: eventType) else {
                    throw LocatedMappingError(message: "the value \"\(scalar.text)\" for \"\(raw)\" is not a valid \(type) value", path: path + ["values", raw])
                }
                built[raw] = value
            }
            table = built
        }
        let everyTime: GatewayMapping.EveryTime? = switch every_time {
        case nil: nil
        case .all: .all
        case .values(let raws): .values(Set(raws.map(\.text)))
        }
        guard first_seen == nil || first_seen == "event" || first_seen == "baseline" else {
            throw LocatedMappingError(message: "first_seen must be event or baseline", path: path + ["first_seen"])
        }
        return GatewayMapping.Field(
            key: try MappingFile.pointer(key, path: path + ["key"]), type: eventType, values: table, everyTime: everyTime,
            firstSeenIsBaseline: first_seen == "baseline", test: try test.map { try MappingFile.pointer($0, path: path + ["test"]) }, scale: scale)
    }

    /// The contract value a table entry stands for, checked against the type.
    static func contractValue(_ scalar: MappingFile.Scalar, for type: EventType) -> EventValue? {
        switch type.expectedValue {
        case .none: return scalar.value == .none ? EventValue.none : nil
        case .boolean:
            if case .boolean = scalar.value { return scalar.value }
            return nil
        case .oneOf(let words): return words.contains(scalar.text) ? .text(scalar.text) : nil
        case .number(let range):
            guard case .number(let number) = scalar.value, range.contains(number) else { return nil }
            return scalar.value
        }
    }
}
