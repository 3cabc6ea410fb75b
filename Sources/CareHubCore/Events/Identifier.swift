/// Validation of the identifiers that travel in MQTT topics: homes and devices.
///
/// Contract section 1: 1 to 64 characters of `A-Z a-z 0-9 _ . -`. Anything else (a `+`, `#` or `/` above all)
/// could escape a topic level or an ACL pattern, so it is refused.
public enum Identifier {
    public static let maximumLength = 64

    public static func isValid(_ candidate: some StringProtocol) -> Bool {
        let bytes = candidate.utf8
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        return bytes.allSatisfy(isAllowed)
    }

    /// Why `candidate` cannot be the home in a topic, or nil when it can: it must be a valid identifier, and not
    /// the stand-in for alarms whose home is not known.
    public static func homeProblem(_ candidate: some StringProtocol) -> String? {
        guard isValid(candidate) else { return "the home \"\(candidate.prefix(80))\" is not 1 to 64 characters of A-Z a-z 0-9 _ . -" }
        guard candidate != SensorEvent.unassignedHome else { return "\(candidate) is reserved for alarms whose home is not known" }
        return nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
