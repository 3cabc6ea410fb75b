import CMosquitto
import Glibc

/// An eventfd the network loop polls beside the broker's socket, so that a publish or a stop from another thread
/// is written at once instead of at the next poll time-out. (libmosquitto's own wake-up pipe is private to
/// `mosquitto_loop`, which the group-committing loop does not use.)
final class LoopWakeUp: @unchecked Sendable {
    // @unchecked because the descriptor is fixed for the object's life and eventfd is thread-safe.
    let descriptor: Int32

    init() {
        descriptor = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Any thread: makes the next (or current) poll return.
    func signal() {
        guard descriptor >= 0 else { return }
        var one: UInt64 = 1
        _ = write(descriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Network thread, after a poll saw it readable.
    func drain() {
        guard descriptor >= 0 else { return }
        var count: UInt64 = 0
        _ = read(descriptor, &count, MemoryLayout<UInt64>.size)
    }
}
