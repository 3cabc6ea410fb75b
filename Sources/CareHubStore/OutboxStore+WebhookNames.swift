import Foundation
import GRDB

extension OutboxStore {
    /// Versions before webhooks had names stored a webhook's URL as the target of its outbox rows (the v11 migration keeps it in `webhook`). This gives
    /// every undelivered one the webhook's name (`name(url)`), in its target and its last error, so that
    /// the webhook's lane picks it up and the URL is not shown again. Returns how many rows it renamed; a
    /// no-op once done. Delivered rows keep what they recorded until `purge` removes them.
    public func renamePendingWebhookTargets(_ name: (String) -> String) throws -> Int {
        try database.writer.write { db in
            let urls = try String.fetchAll(db, sql: """
                SELECT DISTINCT webhook FROM outbox WHERE delivered_at IS NULL AND channel = 'webhook' AND instr(webhook, '://') > 0
                """)
            var renamed = 0
            for url in urls {
                try db.execute(sql: """
                    UPDATE outbox SET webhook = ?2, last_error = replace(last_error, ?1, ?2)
                    WHERE delivered_at IS NULL AND channel = 'webhook' AND webhook = ?1
                    """, arguments: [url, name(url)])
                renamed += db.changesCount
            }
            return renamed
        }
    }
}
