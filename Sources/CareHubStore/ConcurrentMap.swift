import Foundation

extension Array where Element: Sendable {
    /// A transform applied to every element, on every core at once for a large array (at least `perWorker` elements a
    /// core), in order. `makeTransform` is called once per core, so a transform may keep a decoder of its own. For
    /// CPU-bound work over many independent items, such as decoding or encoding every home's rule state at start-up
    /// and shutdown.
    func concurrentMap<T: Sendable>(perWorker: Int = 1_000, _ makeTransform: @Sendable () -> (Element) -> T) -> [T] {
        let workers = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, 16, count / Swift.max(1, perWorker)))
        guard workers > 1 else { return map(makeTransform()) }
        let share = (count + workers - 1) / workers
        let buffer = UnsafeMutableBufferPointer<[T]>.allocate(capacity: workers)
        buffer.initialize(repeating: [])
        defer {
            _ = buffer.deinitialize()
            buffer.deallocate()
        }
        // Unsafe only in name: each worker writes its own slot, and the slots are read after every worker has returned.
        nonisolated(unsafe) let slots = buffer
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            slots[worker] = self[Swift.min(worker * share, count)..<Swift.min((worker + 1) * share, count)].map(makeTransform())
        }
        return buffer.flatMap { $0 }
    }
}
