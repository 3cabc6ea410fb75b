/// What a mapping remembers about one device between its messages, stored with the device in the same
/// transaction as the events it produced: the last value seen of each field (for change detection) and what
/// was last emitted and when (for duplicate suppression).
public struct DeviceMappingMemory: Sendable, Equatable, Codable {
    public struct FieldMemory: Sendable, Equatable, Codable {
        /// The last raw value seen (as text), whether or not it made an event.
        public var seen: String?
        /// The last raw value that made an event, and when it was received (milliseconds).
        public var emitted: String?
        public var emittedAt: Int64?
    }

    public var fields: [String: FieldMemory] = [:]
    /// When the device's last state message was received, and a digest of its topic and payload.
    public var lastMessageAt: Int64?
    public var lastDigest: UInt64?
    /// The last battery level the device reported.
    public var battery: Double?

    public init() {}
}
