import CareHubStore
import Foundation

/// What `carehub users add|token|revoke|list` does: the account rules (names, password length, hashing) in one
/// place, over `AccountStore`.
public struct AccountAdministration: Sendable {
    public let store: AccountStore
    public let hashing: PasswordHashing

    public init(database: HubDatabase, hashing: PasswordHashing = PasswordHashing()) {
        store = AccountStore(database: database)
        self.hashing = hashing
    }

    /// The password in a file's text: the final newline (LF or CRLF) is not part of it.
    public static func password(fromFileText text: String) -> String {
        // "\r\n" is one Character in Swift, so one is dropped either way.
        text.hasSuffix("\r\n") || text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// Creates an account; `invalidInput` for a password shorter than 12 characters or a bad name, `alreadyExists`
    /// for a name in use.
    @discardableResult
    public func add(name: String, role: AccountRole, password: String, by actor: String, at now: Date = Date()) throws -> Account {
        guard password.count >= PasswordHashing.minimumLength else {
            throw StoreError(.invalidInput, "The password must be at least \(PasswordHashing.minimumLength) characters; this one has \(password.count).")
        }
        if let problem = AccountStore.nameProblem(name) {
            throw StoreError(.invalidInput, "The account name \"\(name.prefix(80))\" cannot be used: \(problem).")
        }
        return try store.add(name: name, role: role, passwordHash: hashing.hash(password), by: actor, at: now)
    }

    /// A new API token for the account; only its digest is kept, so this is the one time it is seen.
    public func issueToken(name: String, by actor: String, at now: Date = Date()) throws -> String {
        let token = SecretToken.generate()
        try store.addToken(name: name, digest: SecretToken.digest(token), by: actor, at: now)
        return token
    }
}
