import Foundation

/// A validated contract event (contract section 2), with the home and device from its topic.
public struct SensorEvent: Sendable, Equatable {
    public var home: String
    public var device: String
    /// The gateway's id for the event, unique per home: the deduplication key.
    public var id: String
    public var type: EventType
    public var value: EventValue
    /// When the device observed it (event time).
    public var timestamp: Date
    public var room: String?
    public var battery: Double?
    /// Per-device sequence number, when the gateway sends one.
    public var sequence: Int64?
    /// A smoke alarm's self-test.
    public var isTest: Bool
    /// Faults found in an alarm that was kept anyway.
    public var flags: [EventFlag]

    /// Where an alarm from a gateway message that names no home, and whose device is registered to none, is
    /// stored and raised (flagged `no_home`), so that it is never lost. It is not a home: only the alarm rule
    /// looks at its events, and neither the contract topics nor the registry accept it.
    public static let unassignedHome = "_unassigned"

    public init(
        home: String, device: String, id: String, type: EventType, value: EventValue = .none, timestamp: Date,
        room: String? = nil, battery: Double? = nil, sequence: Int64? = nil, isTest: Bool = false, flags: [EventFlag] = []
    ) {
        self.home = home
        self.device = device
        self.id = id
        self.type = type
        self.value = value
        self.timestamp = timestamp
        self.room = room
        self.battery = battery
        self.sequence = sequence
        self.isTest = isTest
        self.flags = flags
    }
}
