import CareHubStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Lets a request through only with a valid API token (`Authorization: Bearer TOKEN`) or browser session (the
/// `carehub_session` cookie), and sets `context.account`; everything else gets a 401 problem, unknown paths
/// included. Only `publicPaths` (sign-in and the operations endpoints) pass without.
///
/// **CSRF.** A state-changing request (anything but GET and HEAD) that authenticates with the session cookie must
/// carry the session's CSRF token, in an `X-CSRF-Token` header or a `csrf_token` form field; without it, 403. A
/// bearer token is never sent by a browser on its own, so requests with one are exempt.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CareHubRequestContext

    static let sessionCookie = "carehub_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    let accounts: AccountStore
    let policy: HTTPPolicy
    let publicPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        var context = context
        var request = request
        if let authorization = request.headers[.authorization] {
            guard authorization.lowercased().hasPrefix("bearer "),
                  let account = try accounts.account(forToken: SecretToken.digest(String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)))
            else { throw HTTPProblem.unauthorized }
            context.account = account
        } else if let cookie = request.cookies[Self.sessionCookie] {
            guard let session = try accounts.session(digest: SecretToken.digest(cookie.value), at: Date(), idleLimit: policy.sessionIdleLimit) else {
                throw HTTPProblem.unauthorized
            }
            if request.method != .get, request.method != .head {
                let (sent, replayable) = try await Self.csrfToken(of: request, limit: policy.maximumBodyBytes)
                request = replayable
                guard let sent, Self.constantTimeEqual(sent, session.csrfToken) else {
                    throw HTTPProblem(.forbidden, "This request needs the session's CSRF token in an X-CSRF-Token header or a csrf_token form field; reload the page and try again.")
                }
            }
            context.account = session.account
            context.csrfToken = session.csrfToken
        } else {
            throw HTTPProblem.unauthorized
        }
        if let account = context.account {
            context.logger[metadataKey: "http.account"] = .string(account.name)
        }
        return try await next(request, context)
    }

    /// The CSRF token a request sent (header first, then a form field), and the request with its body still readable.
    static func csrfToken(of request: Request, limit: Int) async throws -> (String?, Request) {
        if let header = request.headers[csrfHeader] { return (header, request) }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return (nil, request) }
        var request = request
        let body = try await request.collectBody(upTo: limit)
        let form = FormFields(String(buffer: body))
        return (form["csrf_token"], request)
    }

    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
