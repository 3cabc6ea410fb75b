/// Validation of the identifiers that travel in MQTT topics: homes and devices.
///
/// Contract section 1: 1 to 64 characters of `A-Z a-z 0-9 _ . -`. Anything else (a `+`, `#` or `/` above all)
/// could escape a topic level or an ACL pattern, so it is refused.
public enum Identifier {
    public static let maximumLength = 64

    public static func isValid(_ candidate: some StringProtocol) -> Bool {
        isValid(utf8: candidate.utf8)
    }

    /// The same check on the identifier's UTF-8 bytes.
    public static func isValid(utf8 bytes: some Collection<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        return bytes.allSatisfy(isAllowed)
    }

    /// Home ids a gateway can never write under (contract v1.1 section 1): the hub's own topics
    /// (`carehub/v1/hub/…`), the hub's broker account, and the stand-in for alarms whose home is not known.
    public static let reservedHomes: Set<String> = ["hub", "carehub", SensorEvent.unassignedHome]

    /// Why `candidate` cannot be a home, or nil when it can: it must be a valid identifier, and not reserved.
    public static func homeProblem(_ candidate: some StringProtocol) -> String? {
        guard isValid(candidate) else { return "the home \"\(candidate.prefix(80))\" is not 1 to 64 characters of A-Z a-z 0-9 _ . -" }
        // Compared in place: this runs for every message, and a Substring needs no String made of it to compare.
        guard !reservedHomes.contains(where: { $0.utf8.elementsEqual(candidate.utf8) }) else {
            return candidate == SensorEvent.unassignedHome
                ? "\(candidate) is reserved for alarms whose home is not known"
                : "the home id \(candidate) is reserved for the hub"
        }
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
