import Foundation

/// Times as the console shows them, in the hub's time zone: `14:05` today, `3 Dec 14:05` on another day, with the
/// exact instant in a `<time datetime>` for screen readers and the live script.
struct ConsoleClock {
    let timeZone: TimeZone

    init(timeZone identifier: String) {
        timeZone = TimeZone(identifier: identifier) ?? .gmt
    }

    /// A `<time>` element for `date`.
    func element(_ date: Date, now: Date = Date()) -> String {
        let instant = ISO8601DateFormatter().string(from: date)
        return "<time datetime=\"\(instant)\">\(HTML.escape(text(date, now: now)))</time>"
    }

    func text(_ date: Date, now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        formatter.dateFormat = calendar.isDate(date, inSameDayAs: now) ? "HH:mm" : "d MMM HH:mm"
        return formatter.string(from: date)
    }

    /// The start of the local day holding `date`.
    func startOfDay(_ date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.startOfDay(for: date)
    }

    /// The local hour (0–23) of `date`.
    func hour(_ date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.component(.hour, from: date)
    }
}
