import Foundation

/// The current time in RFC 3339 with milliseconds, as a gateway stamps its events.
public enum RFC3339Now {
    public static func text() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
