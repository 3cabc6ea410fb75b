import Foundation

/// An account as the hub shows it: never its password hash or its tokens.
public struct Account: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: AccountRole
    public var createdAt: Date
    /// When the account was revoked; nil while it may sign in.
    public var disabledAt: Date?
    /// API tokens not revoked.
    public var activeTokens: Int
}
