/// The homes' next rule deadlines, earliest first: a binary min-heap with lazy removal (an entry whose due
/// time is no longer the home's current one is skipped when it surfaces).
public struct DeadlineQueue: Sendable {
    private var heap: [(due: Int64, home: String)] = []
    private var current: [String: Int64] = [:]

    public init() {}

    public var count: Int { current.count }

    /// Sets (or clears, with nil) the home's deadline.
    public mutating func schedule(_ home: String, at due: Int64?) {
        guard let due else {
            current.removeValue(forKey: home)
            return
        }
        guard current[home] != due else { return }
        current[home] = due
        heap.append((due, home))
        siftUp(heap.count - 1)
        if heap.count > 4 * current.count + 64 { compact() }
    }

    public func deadline(of home: String) -> Int64? { current[home] }

    /// The earliest live deadline, if any.
    public mutating func peek() -> (due: Int64, home: String)? {
        while let top = heap.first {
            if current[top.home] == top.due { return top }
            popTop()
        }
        return nil
    }

    /// Removes and returns the earliest deadline if it is at or before `instant`.
    public mutating func popDue(atOrBefore instant: Int64) -> (due: Int64, home: String)? {
        guard let top = peek(), top.due <= instant else { return nil }
        popTop()
        current.removeValue(forKey: top.home)
        return top
    }

    private mutating func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func compact() {
        heap = current.map { ($0.value, $0.key) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (heap[a].due, heap[a].home) < (heap[b].due, heap[b].home)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, less(left, smallest) { smallest = left }
            if right < heap.count, less(right, smallest) { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
