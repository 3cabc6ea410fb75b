import Foundation
import GRDB

/// Read-only looks at a hub's SQLite database while the hub runs, so a test asserts on what the hub stored.
public struct DatabaseProbe: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    private func readOnlyQueue() throws -> DatabaseQueue {
        try DatabaseQueue(path: path, configuration: {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(5)
            return configuration
        }())
    }

    /// The first column of the first row of `sql`, as a number (-1 when there is no row).
    public func count(_ sql: String) throws -> Int {
        try readOnlyQueue().read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    /// The first column of every row of `sql`, as text.
    public func strings(_ sql: String) throws -> [String] {
        try readOnlyQueue().read { try String.fetchAll($0, sql: sql) }
    }

    /// Waits until `sql` counts at least `target`, up to `timeout`, and returns the last count.
    @discardableResult
    public func waitUntil(_ sql: String, reaches target: Int, timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var current = try count(sql)
        while current < target, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            current = try count(sql)
        }
        return current
    }
}
