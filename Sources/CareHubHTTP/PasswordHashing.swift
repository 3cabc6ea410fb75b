import HummingbirdBcrypt

/// Passwords are kept only as bcrypt hashes: salted, and slow on purpose (cost 12: about a quarter of a second a
/// guess on one core). bcrypt reads the first 72 bytes of a password.
public struct PasswordHashing: Sendable {
    /// bcrypt's cost: each step doubles the work. Tests use the minimum, 4.
    public var cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    /// The shortest password accepted (contract section 7).
    public static let minimumLength = 12

    public func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    public func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// Checked when the name is unknown, so that an unknown name takes as long to refuse as a wrong password.
    static let standIn = Bcrypt.hash("carehub stand-in password", cost: 12)
}
