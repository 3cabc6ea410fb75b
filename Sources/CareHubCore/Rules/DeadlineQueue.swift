/// The homes' next rule deadlines, earliest first: a binary min-heap with lazy removal (an entry whose due
/// time is no longer the home's current one is skipped when it surfaces).
public struct DeadlineQueue: Sendable {
    private var heap: [(due: Int64, home: String)] = []
    private var current: [String: Int64] = [:]
    /// Whether `heap[0]` is known to be live: then `peek` need not look the home up (it runs before every replayed line).
    private var topIsLive = false

    public init() {}

    public var count: Int { current.count }

    /// Sets (or clears, with nil) the home's deadline.
    public mutating func schedule(_ home: String, at due: Int64?) {
        guard let due else {
            current.removeValue(forKey: home)
            if heap.first?.home == home { topIsLive = false }
            return
        }
        guard current.updateValue(due, forKey: home) != due else { return }
        // The top entry of this home, if it was the top, is no longer its deadline.
        if heap.first?.home == home { topIsLive = false }
        heap.append((due, home))
        if siftUp(heap.count - 1) == 0 { topIsLive = true }
        if heap.count > 4 * current.count + 64 { compact() }
    }

    public func deadline(of home: String) -> Int64? { current[home] }

    /// The earliest live deadline, if any.
    public mutating func peek() -> (due: Int64, home: String)? {
        while let top = heap.first {
            if topIsLive || current[top.home] == top.due {
                topIsLive = true
                return top
            }
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
        topIsLive = false
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func compact() {
        topIsLive = false
        heap = current.map { ($0.value, $0.key) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (heap[a].due, heap[a].home) < (heap[b].due, heap[b].home)
    }

    /// Moves the entry at `start` up to its place; returns where it ended.
    @discardableResult
    private mutating func siftUp(_ start: Int) -> Int {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return child }
            heap.swapAt(child, parent)
            child = parent
        }
        return child
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
