import CareHubStore

extension OutputRecord {
    /// An account as `carehub users list` prints it: name, role, when made, whether revoked, tokens in force; never a secret.
    public init(account: Account) {
        fields = [
            ("name", .text(account.name)),
            ("role", .text(account.role.rawValue)),
            ("created_at", .time(account.createdAt)),
            ("revoked_at", .optionalTime(account.disabledAt)),
            ("tokens", .integer(Int64(account.activeTokens))),
        ]
    }
}
