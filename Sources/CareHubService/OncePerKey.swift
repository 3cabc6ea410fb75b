import Foundation

/// Remembers which keys were seen, so that something (a warning) happens once per key.
///
/// ```swift
/// if warned.insert(gateway) { logger.warning("…") }
/// ```
final class OncePerKey<Key: Hashable & Sendable>: @unchecked Sendable {
    // @unchecked because `seen` is guarded by `lock`.
    private let lock = NSLock()
    private var seen: Set<Key> = []

    /// True the first time `key` is inserted.
    func insert(_ key: Key) -> Bool {
        lock.withLock { seen.insert(key).inserted }
    }
}
