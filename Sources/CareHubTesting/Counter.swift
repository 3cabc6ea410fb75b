import Foundation

/// A count shared by concurrent tasks (events a test published, say).
public final class Counter: @unchecked Sendable {
    // @unchecked because `count` is guarded by `lock`.
    private let lock = NSLock()
    private var count = 0

    public init() {}

    public func add(_ amount: Int = 1) { lock.withLock { count += amount } }
    public var value: Int { lock.withLock { count } }
}
