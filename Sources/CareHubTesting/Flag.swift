import Foundation

/// Set once, read from any thread: "the client is ready", "the drain is over".
public final class Flag: @unchecked Sendable {
    // @unchecked because `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value = false

    public init() {}

    public func set() { lock.withLock { value = true } }
    public var isSet: Bool { lock.withLock { value } }
}
