import CareHubCore
import Foundation
import GRDB

/// A browser session in force: whose it is and the token its forms must send back (CSRF).
public struct SignedInSession: Sendable, Equatable {
    public var account: Account
    public var csrfToken: String
}

extension AccountStore {
    /// Starts a browser session for an account that may sign in, keyed by the digest of the cookie's secret.
    public func startSession(accountID: Int64, digest: Data, csrfToken: String, at now: Date) throws {
        let millis = now.millisecondsSince1970
        try database.writer.write { db in
            try db.execute(sql: """
                INSERT INTO http_sessions (account_id, digest, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [accountID, digest, csrfToken, millis, millis])
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

    /// Ends a session (signing out); nothing happens for an unknown one.
    public func endSession(digest: Data, at now: Date) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE http_sessions SET ended_at = ? WHERE digest = ? AND ended_at IS NULL", arguments: [now.millisecondsSince1970, digest])
        }
    }

    /// Records in the audit that someone opened one home's data (through the console or the API).
    public func recordHomeViewed(_ home: String, by actor: String, at now: Date) throws {
        try database.writer.write { db in
            _ = try DataAudit.record("home_viewed", home: home, by: actor, at: now, details: nil, in: db)
        }
    }
}
