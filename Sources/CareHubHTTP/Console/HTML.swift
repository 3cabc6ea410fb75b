import Foundation

/// Text made safe for HTML: every value a page shows (resident names, rooms, summaries, notes) is untrusted and goes
/// through `HTML.escape` before it is written into markup, attribute values included.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references.
    static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A path segment made safe for a URL inside an attribute (`/homes/flat%2012`).
    static func pathSegment(_ text: String) -> String {
        escape(text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#"])) ?? "")
    }
}
