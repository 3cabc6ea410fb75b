/// Text from untrusted input (an MQTT topic, a device id, a refusal reason quoting a payload) made safe for one
/// log line: control characters are escaped, so a gateway cannot end a line early and forge the next one, or hide
/// text with terminal escape sequences.
///
/// ```swift
/// LogText.escaped("flat-1\nCareHub ready")   // "flat-1\\nCareHub ready"
/// LogText.escaped("\u{1B}[2J")               // "\\u{1B}[2J"
/// ```
public enum LogText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where needsEscape(scalar): result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
