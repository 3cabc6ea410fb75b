import Foundation

/// Today's activity as an inline SVG: one row per room, one column per hour (0–23), each cell darker the more
/// activity events it holds, with its count in a `<title>` (and the whole as `role="img"` with a label saying
/// what it shows). Room names are untrusted and escaped.
struct HeatMap {
    /// Activity counts by room, then by local hour.
    var counts: [String: [Int]]

    init(activity: [(room: String, at: Date)], clock: ConsoleClock) {
        var counts: [String: [Int]] = [:]
        for (room, at) in activity {
            counts[room, default: Array(repeating: 0, count: 24)][clock.hour(at)] += 1
        }
        self.counts = counts
    }

    static let cell = 22, labelWidth = 120, top = 20

    var svg: String {
        let rooms = counts.keys.sorted()
        let most = max(1, counts.values.flatMap { $0 }.max() ?? 1)
        let width = Self.labelWidth + 24 * Self.cell + 4
        let height = Self.top + max(1, rooms.count) * Self.cell + 4
        var parts = ["""
            <svg class="chart" id="heatmap" role="img" aria-labelledby="heatmap-title" viewBox="0 0 \(width) \(height)" \
            width="\(width)" height="\(height)" xmlns="http://www.w3.org/2000/svg">
            <title id="heatmap-title">Activity today by room and hour: \(rooms.isEmpty ? "none yet" : "\(rooms.count) rooms")</title>
            """]
        for hour in stride(from: 0, to: 24, by: 3) {
            parts.append("<text x=\"\(Self.labelWidth + hour * Self.cell + 2)\" y=\"14\">\(String(format: "%02d", hour))</text>")
        }
        for (index, room) in rooms.enumerated() {
            let y = Self.top + index * Self.cell
            let name = HTML.escape(room.count > 16 ? String(room.prefix(15)) + "…" : room)
            parts.append("<text x=\"0\" y=\"\(y + 15)\">\(name)</text>")
            for (hour, count) in (counts[room] ?? []).enumerated() {
                // From #eef2f6 (none) to #10314f (the busiest cell), through the console's blue.
                let share = Double(count) / Double(most)
                let fill = count == 0 ? "#eef2f6" : Self.shade(share)
                parts.append("""
                    <rect x="\(Self.labelWidth + hour * Self.cell)" y="\(y)" width="\(Self.cell - 2)" height="\(Self.cell - 2)" \
                    fill="\(fill)" stroke="#8a8a8a" stroke-width="0.5"><title>\(HTML.escape(room)), \(String(format: "%02d", hour)):00: \
                    \(count) \(count == 1 ? "event" : "events")</title></rect>
                    """)
            }
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// A blue whose darkness grows with `share` (0 < share ≤ 1).
    static func shade(_ share: Double) -> String {
        let light = (r: 0xB8, g: 0xD0, b: 0xE8), dark = (r: 0x10, g: 0x31, b: 0x4F)
        func mix(_ a: Int, _ b: Int) -> Int { Int((Double(a) + (Double(b) - Double(a)) * share).rounded()) }
        return String(format: "#%02x%02x%02x", mix(light.r, dark.r), mix(light.g, dark.g), mix(light.b, dark.b))
    }
}
