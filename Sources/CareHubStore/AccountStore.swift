import CareHubCore
import Foundation
import GRDB

/// Accounts, API tokens and browser sessions (table `accounts`, `api_tokens`, `http_sessions`). Secrets arrive here
/// already hashed: the password as a bcrypt string, tokens and session keys as SHA-256 digests; nothing here can
/// tell what they were.
///
/// Every change to an account is written to the audit (`data_audit`) under the name of whoever made it.
public struct AccountStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Why a name cannot be an account's, or nil: 1 to 64 printable characters, like the command line's `--by`.
    public static func nameProblem(_ name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed == name, name.count <= 64, !EventDecoder.containsControlCharacter(name) else {
            return "a name must be 1 to 64 printable characters, without spaces at either end"
        }
        return nil
    }

    /// Creates an account; `alreadyExists` if the name is taken (by an account revoked or not).
    @discardableResult
    public func add(name: String, role: AccountRole, passwordHash: String, by actor: String, at now: Date) throws -> Account {
        if let problem = Self.nameProblem(name) { throw StoreError(.invalidInput, "The account name \"\(name.prefix(80))\" cannot be used: \(problem).") }
        return try database.writer.write { db in
            guard try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE name = ?", arguments: [name]) == nil else {
                throw StoreError(.alreadyExists, "There is already an account named \(name); choose another name, or revoke and re-create it under a new one.")
            }
            try db.execute(sql: "INSERT INTO accounts (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, role.rawValue, passwordHash, now.millisecondsSince1970])
            try DataAudit.record("account_added", home: nil, by: actor, at: now, details: JSONText.object([
                ("account", JSONText.quoted(name)), ("role", JSONText.quoted(role.rawValue)),
            ]), in: db)
            return Account(id: db.lastInsertedRowID, name: name, role: role, createdAt: now, disabledAt: nil, activeTokens: 0)
        }
    }

    /// Every account, in the order they were made.
    public func list() throws -> [Account] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.id, a.name, a.role, a.created_at, a.disabled_at,
                    (SELECT COUNT(*) FROM api_tokens t WHERE t.account_id = a.id AND t.revoked_at IS NULL) AS tokens
                FROM accounts a ORDER BY a.id
                """).map(Self.account(row:))
        }
    }

    /// An account that may sign in, with its password hash; nil for an unknown or revoked name.
    public func signInCandidate(name: String) throws -> (account: Account, passwordHash: String)? {
        try database.writer.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, name, role, created_at, disabled_at, 0 AS tokens, password_hash FROM accounts WHERE name = ? AND disabled_at IS NULL
                """, arguments: [name]) else { return nil }
            return (Self.account(row: row), row["password_hash"])
        }
    }

    /// Records a new API token's digest for an account that may sign in; `notFound` otherwise.
    public func addToken(name: String, digest: Data, by actor: String, at now: Date) throws {
        try database.writer.write { db in
            let id = try Self.enabledAccountID(name, in: db)
            try db.execute(sql: "INSERT INTO api_tokens (account_id, digest, created_at) VALUES (?, ?, ?)",
                           arguments: [id, digest, now.millisecondsSince1970])
            try DataAudit.record("token_issued", home: nil, by: actor, at: now, details: JSONText.object([("account", JSONText.quoted(name))]), in: db)
        }
    }

    /// Disables an account and every token and session it has; `notFound` for an unknown name. Revoking a revoked
    /// account again changes nothing.
    public func revoke(name: String, by actor: String, at now: Date) throws {
        try database.writer.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE name = ?", arguments: [name]) else {
                throw Self.unknown(name)
            }
            let millis = now.millisecondsSince1970
            try db.execute(sql: "UPDATE accounts SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?", arguments: [millis, id])
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", arguments: [millis, id])
            try db.execute(sql: "UPDATE http_sessions SET ended_at = ? WHERE account_id = ? AND ended_at IS NULL", arguments: [millis, id])
            try DataAudit.record("account_revoked", home: nil, by: actor, at: now, details: JSONText.object([("account", JSONText.quoted(name))]), in: db)
        }
    }

    /// The account an API token belongs to, if the token and its account are both in force.
    public func account(forToken digest: Data) throws -> Account? {
        try database.writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT a.id, a.name, a.role, a.created_at, a.disabled_at, 0 AS tokens FROM api_tokens t JOIN accounts a ON a.id = t.account_id
                WHERE t.digest = ? AND t.revoked_at IS NULL AND a.disabled_at IS NULL
                """, arguments: [digest]).map(Self.account(row:))
        }
    }

    static func enabledAccountID(_ name: String, in db: Database) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE name = ? AND disabled_at IS NULL", arguments: [name]) else {
            throw unknown(name)
        }
        return id
    }

    static func unknown(_ name: String) -> StoreError {
        StoreError(.notFound, "There is no account named \(name) that may sign in; run `carehub users list` to see them.")
    }

    static func account(row: Row) -> Account {
        Account(id: row["id"], name: row["name"], role: AccountRole(rawValue: row["role"]) ?? .carer,
                createdAt: Date(millisecondsSince1970: row["created_at"]),
                disabledAt: (row["disabled_at"] as Int64?).map(Date.init(millisecondsSince1970:)), activeTokens: row["tokens"])
    }
}
