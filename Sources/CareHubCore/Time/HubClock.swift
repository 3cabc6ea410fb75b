import Foundation

/// The only way rule and ingest code learns the time (architecture invariant 4): the system clock live,
/// a `ManualClock` in tests and replay.
public protocol HubClock: Sendable {
    var now: Date { get }
}

/// The machine's wall clock.
public struct SystemClock: HubClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that moves only when told to; for tests and replay.
public final class ManualClock: HubClock, @unchecked Sendable {
    // @unchecked because `current` is guarded by `lock`.
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public var now: Date { lock.withLock { current } }

    public func set(_ date: Date) { lock.withLock { current = date } }

    public func advance(by interval: TimeInterval) { lock.withLock { current += interval } }
}
