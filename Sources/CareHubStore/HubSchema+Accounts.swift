extension HubSchema {
    /// People who use the console and the API (issue 14): accounts with a role and a slow, salted password hash,
    /// API tokens and browser sessions stored only as SHA-256 digests of their secrets. An account is never
    /// deleted (the audit names it); revoking it sets `disabled_at` and ends its tokens and sessions.
    static let accounts = [
        """
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('carer', 'lead', 'admin')),
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            disabled_at INTEGER
        ) STRICT
        """,
        """
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            account_id INTEGER NOT NULL REFERENCES accounts (id),
            digest BLOB NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        ) STRICT
        """,
        """
        CREATE TABLE http_sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            account_id INTEGER NOT NULL REFERENCES accounts (id),
            digest BLOB NOT NULL UNIQUE,
            csrf_token TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            ended_at INTEGER
        ) STRICT
        """,
        "CREATE INDEX http_sessions_account ON http_sessions (account_id) WHERE ended_at IS NULL",
        "CREATE INDEX api_tokens_account ON api_tokens (account_id) WHERE revoked_at IS NULL",
    ]
}
