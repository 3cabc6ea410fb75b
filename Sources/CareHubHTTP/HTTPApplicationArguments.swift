import CareHubStore
import Foundation

/// What `buildHTTPApplication` needs: where to listen, the database, and the policy. `carehub serve` passes
/// `HTTPServeArguments`; tests pass their own (a temporary database, short stream timings).
public protocol HTTPApplicationArguments: Sendable {
    var host: String { get }
    var port: Int { get }
    /// The address people use (behind a TLS proxy); an https one makes the session cookie `Secure`.
    var publicURL: String? { get }
    /// The hub's database, opened for writing (staff actions are transactions in it).
    var database: HubDatabase { get }
    /// The time zone for dates given without one (`since=2026-11-29`).
    var timeZone: String { get }
    var policy: HTTPPolicy { get }
}

extension HTTPApplicationArguments {
    var cookiesAreSecure: Bool { publicURL?.lowercased().hasPrefix("https://") ?? false }
}

/// The arguments `carehub serve` builds from its configuration and flags.
public struct HTTPServeArguments: HTTPApplicationArguments {
    public var host: String
    public var port: Int
    public var publicURL: String?
    public var database: HubDatabase
    public var timeZone: String
    public var policy: HTTPPolicy

    public init(host: String, port: Int, publicURL: String?, database: HubDatabase, timeZone: String, policy: HTTPPolicy = HTTPPolicy()) {
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.database = database
        self.timeZone = timeZone
        self.policy = policy
    }
}
