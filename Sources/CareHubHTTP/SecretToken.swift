import Crypto
import Foundation

/// The secrets the hub hands out (API tokens, session cookies, CSRF tokens): 32 random bytes from the system's
/// generator, written base64url without padding. Only their SHA-256 digest is stored, so a copy of the database
/// cannot be used to sign in.
public enum SecretToken {
    /// A new secret, 43 characters of `A–Z a–z 0–9 - _`.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The digest stored for a secret.
    public static func digest(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }
}
