import CareHubCore
import GRDB

/// Each gateway's daily figures (`GatewayTraffic`), as the `Ingestor` holds it to its limits.
extension IngestTransaction {
    /// Opens the gateway's row for the day of `millis` (nothing happens when it exists).
    public func openTrafficDay(_ sender: GatewaySender, at millis: Int64) throws {
        try GatewayTraffic.ensureRow(sender, day: GatewayTraffic.day(millis), in: db)
    }

    /// What the gateway's refused messages took on the day of `millis`: bytes kept whole, and records kept.
    public func refusalFigures(_ sender: GatewaySender, at millis: Int64) throws -> (bytes: Int64, records: Int64) {
        try GatewayTraffic.refusals(sender, day: GatewayTraffic.day(millis), in: db)
    }

    /// Adds one to a counter of the gateway's day.
    public func count(_ count: GatewayTraffic.Count, _ sender: GatewaySender, at millis: Int64) throws {
        try GatewayTraffic.increment(count, sender, day: GatewayTraffic.day(millis), in: db)
    }

    /// Counts a refused message kept whole, with its length, on the gateway's day.
    public func countKeptRefusal(_ sender: GatewaySender, bytes: Int64, at millis: Int64) throws {
        try GatewayTraffic.countKept(sender, bytes: bytes, day: GatewayTraffic.day(millis), in: db)
    }

    /// Notes that `limit` held the gateway back on the day of `millis`; true the first time that day.
    public func markLimitReported(_ limit: GatewayTraffic.Limit, sender: GatewaySender, at millis: Int64) throws -> Bool {
        try GatewayTraffic.markReported(limit, sender: sender, day: GatewayTraffic.day(millis), in: db)
    }

    /// Counts a message that reached the hub at QoS 0; `alarm` when it carried one.
    public func noteQoS0(_ sender: GatewaySender, alarm: Bool, at millis: Int64) throws {
        try GatewayTraffic.noteQoS0(sender, alarm: alarm, at: millis, in: db)
    }
}
