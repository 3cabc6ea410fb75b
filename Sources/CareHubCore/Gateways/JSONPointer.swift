import Foundation

/// An RFC 6901 JSON pointer: `/ENERGY/Power`, `/occupancy`, or `""` for the whole payload.
public struct JSONPointer: Sendable, Equatable, Hashable, CustomStringConvertible {
    let tokens: [String]
    public let description: String

    public init(_ text: String) throws(MappingError) {
        description = text
        guard !text.isEmpty else {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { throw MappingError("the JSON pointer \"\(text)\" must be empty or start with /") }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    /// The value the pointer names, or nil when it names nothing.
    public func resolve(in value: JSONValue) -> JSONValue? {
        var current = value
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}
