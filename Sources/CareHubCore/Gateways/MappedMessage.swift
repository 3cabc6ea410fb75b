import Foundation

/// What a mapped message turned out to be.
public enum MappedOutcome: Sendable, Equatable {
    case events([MappedEvent])
    /// No event, but the device is alive.
    case heartbeat(battery: Double?)
    /// The same report again within the duplicate window: nothing new.
    case duplicate
    /// A retained state replayed by the broker, or a topic that is not about the home: nothing to store.
    case ignored
    case gatewayStatus(GatewayState)
    case deviceStatus(GatewayState)
    case refused(RefusalReason)
}

/// One contract event made from a mapped message (the home, device, id and room come from the registry).
public struct MappedEvent: Sendable, Equatable {
    public var type: EventType
    public var value: EventValue
    public var isTest: Bool
    public var battery: Double?

    public init(type: EventType, value: EventValue = .none, isTest: Bool = false, battery: Double? = nil) {
        self.type = type
        self.value = value
        self.isTest = isTest
        self.battery = battery
    }
}

/// A translated message: its outcome, the device's memory after it, and what else it said.
public struct MappedMessage: Sendable, Equatable {
    public var outcome: MappedOutcome
    public var memory: DeviceMappingMemory
    /// The device's own time stamp, when the mapping names one and it could be read.
    public var observedAt: Int64?
    public var linkQuality: Double?
}
