/// How urgently an incident needs a person (contract section 3).
public enum Priority: String, Sendable, CaseIterable, Codable, Comparable {
    case emergency, urgent, routine, technical

    /// 0 is the most urgent; lists sort by it.
    public var rank: Int {
        switch self {
        case .emergency: 0
        case .urgent: 1
        case .routine: 2
        case .technical: 3
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}
