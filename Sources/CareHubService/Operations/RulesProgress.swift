import Foundation

/// How far the running rules service has evaluated (`events.seq`), kept in memory: the checkpoint in the database is
/// written at most once a second when nothing changes, and readiness must not call the rules behind for that.
/// Set once per rules step; read by `HubOperations` from any thread.
final class RulesProgress: @unchecked Sendable {
    // @unchecked because `evaluated` is guarded by `lock`.
    private let lock = NSLock()
    private var evaluated: Int64?

    /// The row number evaluated through, or nil while no rules service runs.
    var evaluatedThrough: Int64? { lock.withLock { evaluated } }

    func set(_ seq: Int64?) {
        lock.withLock { evaluated = seq }
    }
}
