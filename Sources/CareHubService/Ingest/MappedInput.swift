import CareHubCore
import Foundation

/// A message of a mapped dialect (Zigbee2MQTT, Tasmota, …) as received.
public struct MappedInput: Sendable {
    public var mapping: GatewayMapping
    public var route: GatewayMapping.Route
    public var match: TopicPattern.Match
    public var topic: String
    public var payload: [UInt8]
    public var retained: Bool

    public init(mapping: GatewayMapping, route: GatewayMapping.Route, match: TopicPattern.Match, topic: String, payload: [UInt8], retained: Bool) {
        self.mapping = mapping
        self.route = route
        self.match = match
        self.topic = topic
        self.payload = payload
        self.retained = retained
    }

    /// The home the message belongs to: the topic's `{home}`, else the gateway's configured home. Never the
    /// registry's word: a gateway whose topics carry no home could otherwise write into any home by naming one of
    /// its devices, where the broker's ACL cannot stop it.
    public var home: String? {
        match.home ?? mapping.defaultHome
    }

    /// The gateway that sent it, as its limits and counts know it.
    public var sender: GatewaySender {
        GatewaySender(dialect: mapping.dialect, home: home)
    }

    /// Whether the message holds an alarm on its own, whatever the device's memory: alarms pass every limit.
    public func holdsAlarm(receivedAt: Date) -> Bool {
        let alone = mapping.translate(route: route, payload: payload, topic: topic, retained: retained,
                                      receivedAt: receivedAt.millisecondsSince1970, memory: DeviceMappingMemory())
        if case .events(let events) = alone.outcome { return events.contains { $0.type.isAlarm } }
        return false
    }

    /// The message as the first of `mappings` with a route for `topic` reads it; nil when none has one.
    public init?(mappings: [GatewayMapping], topic: String, payload: [UInt8], retained: Bool) {
        for mapping in mappings {
            if let (route, match) = mapping.route(for: topic) {
                self.init(mapping: mapping, route: route, match: match, topic: topic, payload: payload, retained: retained)
                return
            }
        }
        return nil
    }
}
