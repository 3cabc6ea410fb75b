/// How much one gateway, or one home, may ask of the hub before its messages are only counted, so that one
/// gateway credential cannot stop every home (by filling the disk with refused payloads, or the registry with
/// devices, or the rules with junk). Alarms are raised beyond every limit.
///
/// A gateway is what the hub can tell apart by topic: a dialect (`carehub` for the contract topics) and the home
/// its topics carry (or its configured home), which the broker's ACL confines each gateway account to.
public struct GatewayLimits: Sendable, Equatable, Codable {
    /// Devices registered automatically in one home; past it a new device's messages are refused as `quota`.
    public var devicesPerHome: Int = 250
    /// Sustained messages a second from one gateway (a token bucket holding `burst`); past it, while the hub is
    /// caught up with the broker, non-alarm messages are refused as `quota`. A home sends about 0.1 a second; the
    /// burst lets a gateway that stored and forwards a day of events (about 9,000) send them at once.
    public var messagesPerSecond: Double = 50
    public var burst: Double = 10_000
    /// Refused payload bytes kept per gateway and UTC day; past it a refused message keeps only its length,
    /// SHA-256 and reason (`quota`).
    public var refusedBytesPerDay: Int64 = 16 * 1024 * 1024
    /// Refused messages kept one by one per gateway and UTC day; past it they are counted, per gateway and day
    /// (`carehub status`), so the disk cannot fill.
    public var refusedRecordsPerDay: Int64 = 20_000

    public init() {}
}

/// Who sent a message, as far as the hub can tell: the dialect and the home its topic carries (or its gateway's
/// configured home); `home` is empty when there is none.
public struct GatewaySender: Sendable, Hashable, CustomStringConvertible {
    public var dialect: String
    public var home: String

    public init(dialect: String, home: String?) {
        self.dialect = dialect
        self.home = home ?? ""
    }

    /// The contract topics' dialect name.
    public static let contractDialect = "carehub"

    public var description: String { home.isEmpty ? "\(dialect) (no home)" : "\(dialect) for home \(home)" }
}
