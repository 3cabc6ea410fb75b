import CareHubCore
import Foundation

/// The messages of a recording under evaluation that the live hub would have refused (a gateway clock far ahead of the
/// time the line was received, a payload without a required field, …), by reason: they are not evaluated, as the hub
/// would not have judged them, and how many there were is said, so that a recording refused wholesale (a gateway that
/// stamps local time as UTC) is not taken for a quiet home.
public struct EvaluationRefusals: Sendable, Equatable {
    /// How many messages were refused, by reason code.
    public private(set) var counts: [String: Int] = [:]
    /// The first refusal's message of each reason code.
    public private(set) var examples: [String: String] = [:]

    public init() {}

    mutating func note(_ reason: RefusalReason) {
        counts[reason.code, default: 0] += 1
        if examples[reason.code] == nil { examples[reason.code] = reason.message }
    }

    public var total: Int { counts.values.reduce(0, +) }

    /// What was refused, for people, after "carehub: " (nil when nothing was): "refused 120 of the recording's messages as
    /// the hub would, so they were not evaluated: clock_ahead 120 (The event time is 3600 s ahead of the hub's clock, …)."
    public var sentence: String? {
        guard total > 0 else { return nil }
        let reasons = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { code, count in
            "\(code) \(count) (\((examples[code] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "."))))"
        }
        return "refused \(total) of the recording's messages as the hub would, so they were not evaluated: "
            + reasons.joined(separator: ", ") + "."
    }
}
