import Foundation

/// The lines of a recording that could not be read (a header row, a line cut short when the recorder stopped, a stray
/// line in a published dataset), skipped and counted: one damaged line does not cost the whole recording, and what was
/// skipped is said, with the first few reasons, wherever the recording's results are shown.
public struct UnreadableLines: Sendable, Equatable {
    /// How many lines were skipped.
    public private(set) var count = 0
    /// Why the first `kept` of them were: "Line 5001 is not JSON: …".
    public private(set) var first: [String] = []

    /// Reasons kept for the report; the rest are only counted.
    static let kept = 3

    public init() {}

    mutating func note(_ error: ReplayInputError) {
        count += 1
        if first.count < Self.kept { first.append(error.description) }
    }

    /// What was skipped, for people, after "carehub: " (nil when every line was read): "skipped 2 lines it could not read:
    /// Line 1 starts with "time", not a local date and time. Line 9 is not a CASAS event (date and time, sensor, value)."
    public var sentence: String? {
        guard count > 0 else { return nil }
        let more = count > first.count ? " (and \(count - first.count) more)" : ""
        return "skipped \(count) \(count == 1 ? "line" : "lines") it could not read\(more): " + first.joined(separator: " ")
    }
}
