/// How the hub treats homes and devices it has not seen before (contract section 6).
public enum RegistrationMode: String, Sendable, Codable, CaseIterable {
    /// Register them on first sight, with the default time zone and rules.
    case automatic
    /// Keep their messages aside (refused as `unregistered`) and report them; alarms still raise, flagged.
    case strict
}
