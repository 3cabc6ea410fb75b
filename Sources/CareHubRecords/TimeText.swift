import CareHubCore
import Foundation

/// Times as people type them, for the command line's `--since`, `--until` and `--for` and the API's `since`.
public enum TimeText {
    /// A future time: RFC 3339, or a local date (midnight) or local date and time in `timeZone`.
    public static func future(_ text: String, timeZone identifier: String) -> Date? {
        if let date = RFC3339.parse(text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: identifier)
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// "45m", "2h", "1h30m", "90s": seconds.
    public static func duration(_ text: String) -> TimeInterval? {
        var total: TimeInterval = 0
        var digits = ""
        for character in text {
            if character.isNumber {
                digits.append(character)
            } else {
                guard let amount = Double(digits), let unit = ["s": 1.0, "m": 60, "h": 3600, "d": 86_400][character] else { return nil }
                total += amount * unit
                digits = ""
            }
        }
        return digits.isEmpty && total > 0 ? total : nil
    }

    /// A time, a local date (midnight) or an age ("2h": two hours before `now`).
    public static func since(_ text: String, now: Date, timeZone identifier: String) -> Date? {
        if let date = RFC3339.parse(text) { return date }
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0 {
            return now.addingTimeInterval(-amount * unit)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: identifier)
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }
}
