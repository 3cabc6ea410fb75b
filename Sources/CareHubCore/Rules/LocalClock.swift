import Foundation

/// Wall-clock arithmetic in one IANA time zone, fast enough for replay: the UTC offset is cached until the
/// zone's next transition, so most calls are integer arithmetic. Instants are milliseconds since 1970 (UTC).
///
/// DST: on the night clocks go forward, local times in the gap do not exist and the first instant after
/// them is used; on the night they go back, a repeated local time means its first occurrence.
public struct LocalClock: Sendable {
    public let timeZone: TimeZone
    private var cachedFrom: Int64 = .max
    private var cachedUntil: Int64 = .min
    private var cachedOffset: Int64 = 0

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(timeZone: zone)
    }

    /// The UTC offset in milliseconds at `instant`.
    public mutating func offset(at instant: Int64) -> Int64 {
        if instant >= cachedFrom && instant < cachedUntil { return cachedOffset }
        let date = Date(millisecondsSince1970: instant)
        cachedOffset = Int64(timeZone.secondsFromGMT(for: date)) * 1000
        // The offset holds between the zone's transitions either side of `instant`.
        var previous = instant - 400 * 86_400_000
        var cursor = Date(millisecondsSince1970: previous)
        for _ in 0..<32 {
            guard let transition = timeZone.nextDaylightSavingTimeTransition(after: cursor), transition.millisecondsSince1970 <= instant else { break }
            previous = transition.millisecondsSince1970
            cursor = transition
        }
        cachedFrom = max(previous, instant - 400 * 86_400_000)
        cachedUntil = timeZone.nextDaylightSavingTimeTransition(after: date)?.millisecondsSince1970 ?? instant + 366 * 86_400_000
        return cachedOffset
    }

    /// Minutes after local midnight at `instant`.
    public mutating func minuteOfDay(at instant: Int64) -> Int {
        let local = instant + offset(at: instant)
        return Int(local.floorModulo(86_400_000) / 60_000)
    }

    /// The local calendar day of `instant`, as days since 1970-01-01.
    public mutating func localDay(at instant: Int64) -> Int64 {
        (instant + offset(at: instant)).floorDivided(by: 86_400_000)
    }

    /// The instant of local time `minute` on local day `day`. A time skipped by a forward change is taken
    /// as the first instant after the gap; a time repeated by a backward change as its first occurrence.
    public mutating func instant(day: Int64, minute: Int) -> Int64 {
        let wall = day * 86_400_000 + Int64(minute) * 60_000
        // Nearly always the whole day lies between two transitions of the cached offset: then the offset is the same
        // on either side of it and the answer is plain arithmetic (the general case below would give the same).
        let plain = wall - cachedOffset
        if wall - 43_200_000 >= cachedFrom, wall + 43_200_000 < cachedUntil, plain >= cachedFrom, plain < cachedUntil {
            return plain
        }
        let earlierOffset = offset(at: wall - 43_200_000)
        let laterOffset = offset(at: wall + 43_200_000)
        let first = wall - max(earlierOffset, laterOffset)
        let second = wall - min(earlierOffset, laterOffset)
        if first + offset(at: first) == wall { return first }
        if second + offset(at: second) == wall { return second }
        let transition = timeZone.nextDaylightSavingTimeTransition(after: Date(millisecondsSince1970: first))
        return transition?.millisecondsSince1970 ?? second
    }

    /// The first instant strictly after `instant` whose local time is `minute`.
    public mutating func next(minute: Int, after start: Int64) -> Int64 {
        let today = localDay(at: start)
        for day in today...(today + 2) {
            let candidate = instant(day: day, minute: minute)
            if candidate > start { return candidate }
        }
        return start + 86_400_000
    }

    /// Whether `instant` falls in `window` (local time of day).
    public mutating func isInside(_ window: LocalWindow, at instant: Int64) -> Bool {
        window.contains(minuteOfDay: minuteOfDay(at: instant))
    }

    /// "09:12" in local time.
    public mutating func timeText(_ instant: Int64) -> String {
        LocalWindow.format(minuteOfDay(at: instant))
    }

    /// "Sun 29 Nov 09:12" in local time.
    public mutating func dayAndTimeText(_ instant: Int64) -> String {
        let local = instant + offset(at: instant)
        let (_, month, day) = RFC3339.civilFromDays(Int(local.floorDivided(by: 86_400_000)))
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(local.floorDivided(by: 86_400_000).floorModulo(7))]
        let monthName = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1]
        return "\(weekday) \(day) \(monthName) \(timeText(instant))"
    }
}

extension BinaryInteger {
    /// The remainder with the sign of the divisor.
    func floorModulo(_ divisor: Self) -> Self {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
