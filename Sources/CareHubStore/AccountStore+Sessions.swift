import CareHubCore
import Foundation
import GRDB

/// A browser session in force: whose it is and the token its forms must send back (CSRF).
public struct SignedInSession: Sendable, Equatable {
    public var account: Account
    public var csrfToken: String
}

extension AccountStore {
    /// Starts a browser session for an account that may sign in, keyed by the digest of the cookie's secret, and records
    /// the sign-in in the audit under the account's name, with the client's address.
    public func startSession(for account: Account, digest: Data, csrfToken: String, address: String, at now: Date) throws {
        let millis = now.millisecondsSince1970
        try database.writer.write { db in
            try db.execute(sql: """
                INSERT INTO http_sessions (account_id, digest, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [account.id, digest, csrfToken, millis, millis])
            _ = try DataAudit.record("signed_in", home: nil, by: account.name, at: now,
                                     details: JSONText.object([("address", JSONText.quoted(address))]), in: db)
        }
    }

    /// Records a failed sign-in for an account that exists (a name no account has is only logged: it may be a password
    /// typed into the wrong field).
    public func recordFailedSignIn(for account: Account, address: String, at now: Date) throws {
        try database.writer.write { db in
            _ = try DataAudit.record("sign_in_failed", home: nil, by: account.name, at: now,
                                     details: JSONText.object([("address", JSONText.quoted(address))]), in: db)
        }
    }

    /// The session in force for a cookie's digest, or nil when there is none, it ended, its account was revoked, or it
    /// was idle for longer than `idleLimit`. A session in force is marked seen now (written at most once a minute).
    public func session(digest: Data, at now: Date, idleLimit: TimeInterval) throws -> SignedInSession? {
        let millis = now.millisecondsSince1970
        let oldest = millis - Int64(idleLimit * 1000)
        let found = try database.writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT s.id AS session_id, s.csrf_token, s.last_seen_at, a.id, a.name, a.role, a.created_at, a.disabled_at, 0 AS tokens
                FROM http_sessions s JOIN accounts a ON a.id = s.account_id
                WHERE s.digest = ? AND s.ended_at IS NULL AND a.disabled_at IS NULL AND s.last_seen_at >= ?
                """, arguments: [digest, oldest])
        }
        guard let found else { return nil }
        let lastSeen: Int64 = found["last_seen_at"]
        if millis - lastSeen >= 60_000 {
            let id: Int64 = found["session_id"]
            try database.writer.write { db in
                try db.execute(sql: "UPDATE http_sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?", arguments: [millis, id, millis])
            }
        }
        return SignedInSession(account: Self.account(row: found), csrfToken: found["csrf_token"])
    }

    /// Ends a session (signing out) and records it in the audit under the account's name; nothing happens for an unknown
    /// or already ended one.
    public func endSession(digest: Data, at now: Date) throws {
        try database.writer.write { db in
            let name = try String.fetchOne(db, sql: """
                SELECT a.name FROM http_sessions s JOIN accounts a ON a.id = s.account_id WHERE s.digest = ? AND s.ended_at IS NULL
                """, arguments: [digest])
            guard let name else { return }
            try db.execute(sql: "UPDATE http_sessions SET ended_at = ? WHERE digest = ? AND ended_at IS NULL", arguments: [now.millisecondsSince1970, digest])
            _ = try DataAudit.record("signed_out", home: nil, by: name, at: now, details: nil, in: db)
        }
    }

    /// Deletes the sessions that ended, or were last used, before `cutoff` (none of them can be used again; the audit
    /// keeps each sign-in and sign-out). Returns how many went.
    static func purgeSessions(before cutoff: Int64, in db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM http_sessions WHERE COALESCE(ended_at, last_seen_at) < ?", arguments: [cutoff])
        return db.changesCount
    }

    /// Records in the audit that someone opened one home's data (through the console or the API).
    public func recordHomeViewed(_ home: String, by actor: String, at now: Date) throws {
        try database.writer.write { db in
            _ = try DataAudit.record("home_viewed", home: home, by: actor, at: now, details: nil, in: db)
        }
    }
}
