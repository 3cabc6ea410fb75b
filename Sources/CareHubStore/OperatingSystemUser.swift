import Foundation

/// The operating-system account running this program, recorded in the audit beside the name given with `--by`,
/// so that a typed name is not the only record of who acted.
///
/// ```swift
/// OperatingSystemUser.current   // "sam", or "root (sudo from sam)"
/// ```
///
/// The effective user comes from the kernel (`geteuid`) and cannot be typed; `SUDO_USER` is an environment
/// variable, set by sudo but settable by anyone, so it is recorded as what sudo (or the caller) said.
public enum OperatingSystemUser {
    /// Read once per process.
    public static let current = describe(effectiveUser: name(of: geteuid()), sudoUser: ProcessInfo.processInfo.environment["SUDO_USER"])

    /// "sam", or "root (sudo from sam)" when `SUDO_USER` names someone else.
    public static func describe(effectiveUser: String, sudoUser: String?) -> String {
        guard let sudoUser, !sudoUser.isEmpty, sudoUser != effectiveUser else { return effectiveUser }
        let printable = String(sudoUser.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(64))
        return "\(effectiveUser) (sudo from \(printable))"
    }

    /// The account name of `uid`, or "uid N" when the system has no entry for it.
    static func name(of uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return "uid \(uid)"
        }
        return String(cString: name)
    }
}
