/// What an account may do through the console and the API (contract section 7). Each role may do everything the
/// roles before it may.
public enum AccountRole: String, Sendable, CaseIterable, Comparable {
    /// Reads everything; acknowledges, notes and resolves incidents.
    case carer
    /// Also assigns incidents and sets homes away, visiting or back.
    case lead
    /// Also manages accounts and devices.
    case admin

    private var rank: Int {
        switch self {
        case .carer: 0
        case .lead: 1
        case .admin: 2
        }
    }

    public static func < (lhs: AccountRole, rhs: AccountRole) -> Bool { lhs.rank < rhs.rank }

    /// Whether this role includes everything `required` may do.
    public func allows(_ required: AccountRole) -> Bool { self >= required }
}
