import CareHubCore
import Foundation

/// A message as the `Ingestor` reads it before deciding anything: a contract message decoded, or a mapped
/// dialect's message routed to its mapping (translated later, with the device's memory).
public enum IncomingMessage: Sendable {
    case contract(DecodedMessage)
    case mapped(MappedInput)

    /// The gateway that sent it, as its limits and counts know it.
    public var sender: GatewaySender {
        switch self {
        case .contract(let decoded): GatewaySender(dialect: GatewaySender.contractDialect, home: decoded.home)
        case .mapped(let input): input.sender
        }
    }

    /// The home and device it claims, as a refusal keeps them.
    public var claimed: (home: String?, device: String?) {
        switch self {
        case .contract(let decoded): (decoded.home, decoded.device)
        case .mapped(let input): (input.sender.home.isEmpty ? nil : input.sender.home, input.match.device)
        }
    }

    /// Whether it holds an alarm on its own, whatever its device's memory: alarms pass every limit.
    public func holdsAlarm(receivedAt: Date) -> Bool {
        switch self {
        case .contract(let decoded): decoded.holdsAlarm
        case .mapped(let input): input.holdsAlarm(receivedAt: receivedAt)
        }
    }

    /// The decoded contract message, for the log (nil for a mapped one).
    public var decoded: DecodedMessage? {
        if case .contract(let decoded) = self { return decoded }
        return nil
    }
}
