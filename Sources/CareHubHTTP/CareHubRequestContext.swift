import CareHubStore
import Hummingbird
import NIOCore

/// What a request carries through the router: who sent it (once authenticated) and from where.
public struct CareHubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in account; nil before `AuthenticationMiddleware` ran and on the few public routes.
    public var account: Account?
    /// The browser session's CSRF token, for the console's forms; nil for a bearer token.
    public var csrfToken: String?
    /// The client's address as the listener saw it (the proxy's, behind one), for rate limits and logs.
    public var clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The signed-in account; a 401 problem if there is none (a route reached without the middleware).
    public func requireAccount() throws -> Account {
        guard let account else { throw HTTPProblem.unauthorized }
        return account
    }

    /// The signed-in account if its role includes `role`; a 403 problem otherwise.
    public func require(_ role: AccountRole) throws -> Account {
        let account = try requireAccount()
        guard account.role.allows(role) else {
            throw HTTPProblem(.forbidden, "This needs the \(role.rawValue) role or above; your account \(account.name) is a \(account.role.rawValue).")
        }
        return account
    }
}
