import CareHubCore
import Foundation

/// One message to replay: what was (or would have been) published, and when the hub received it.
public struct ReplayLine: Sendable {
    /// Milliseconds since 1970: the line's `at`, else its event's `ts`, else the previous line's time.
    public var time: Int64
    public var topic: String
    public var payload: [UInt8]
    /// Position in the input, for error messages and stable ordering.
    public var lineNumber: Int

    public init(time: Int64, topic: String, payload: [UInt8], lineNumber: Int) {
        self.time = time
        self.topic = topic
        self.payload = payload
        self.lineNumber = lineNumber
    }
}

/// An input line that cannot be replayed, said with its line number.
public struct ReplayInputError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The formats `carehub replay --input-format` reads.
public enum ReplayInputFormat: String, Sendable, CaseIterable {
    case contract, homeassist, casas
}
