import CareHubCore
import CareHubStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `POST /login` (form fields `name` and `password`) starts a browser session; `POST /logout` ends it. Both are
/// recorded in the audit under the account's name (`signed_in`, with the client's address; `signed_out`), as is a
/// failed sign-in for a name an account has (`sign_in_failed`).
///
/// A successful sign-in sets the `carehub_session` cookie (`HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure` when
/// `public_url` is https) and answers `{"name", "role", "csrf_token"}`: the CSRF token the session's state-changing
/// requests must send back. With a `then` field (the console's sign-in form), a success answers 303 to that path on
/// this site instead, and a failure shows the form again with the reason. Failed attempts are counted per name and per client address (`SignInLimiter`); over the
/// limit, 429 with `Retry-After`, whether or not the password is right.
struct SessionRoutes {
    let accounts: AccountStore
    let hashing: PasswordHashing
    let limiter: SignInLimiter
    let policy: HTTPPolicy
    let secureCookies: Bool

    static let publicPaths: Set<String> = ["/login"]
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func register(on router: Router<CareHubRequestContext>) {
        router.post("login") { request, context in try await signIn(request, context) }
        router.post("logout") { request, context in try await signOut(request, context) }
    }

    func signIn(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        var request = request
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw HTTPProblem(.badRequest, "Sign in with a form (application/x-www-form-urlencoded) holding name and password.")
        }
        let form = FormFields(String(buffer: try await request.collectBody(upTo: policy.maximumBodyBytes)))
        guard let then = form["then"] else { return try await signIn(form, request, context) }
        do {
            var response = try await signIn(form, request, context)
            response.status = .seeOther
            response.headers[.location] = ConsoleRoutes.safeDestination(then)
            response.body = .init()
            response.headers[.contentType] = nil
            return response
        } catch let problem as HTTPProblem {
            var page = ConsoleRoutes.signInPage(then: then, error: problem.detail, status: problem.status)
            page.headers.append(contentsOf: problem.headers.filter { $0.name == .retryAfter })
            return page
        }
    }

    private func signIn(_ form: FormFields, _ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        guard let name = form["name"], !name.isEmpty, let password = form["password"], !password.isEmpty else {
            throw HTTPProblem(.badRequest, "Sign in with a form holding both name and password.")
        }
        let now = Date()
        let address = Self.clientAddress(request, context)
        if let wait = await limiter.retryAfter(name: name, address: address, now: now) {
            throw HTTPProblem(.tooManyRequests, "Too many failed sign-ins; wait \(Int(wait.rounded(.up))) seconds, or ask an administrator.",
                              headers: [.retryAfter: String(Int(wait.rounded(.up)))])
        }
        let candidate = try accounts.signInCandidate(name: name)
        let hash = candidate?.passwordHash ?? PasswordHashing.standIn
        guard hashing.verify(password, hash: hash), let account = candidate?.account else {
            await limiter.recordFailure(name: name, address: address, now: now)
            context.logger.info("Failed sign-in", metadata: ["http.client": .string(address)])
            if let known = candidate?.account { try accounts.recordFailedSignIn(for: known, address: address, at: now) }
            throw HTTPProblem(.unauthorized, "The name or password is wrong; check both and try again.")
        }
        await limiter.recordSuccess(name: name)
        let secret = SecretToken.generate()
        let csrf = SecretToken.generate()
        try accounts.startSession(for: account, digest: SecretToken.digest(secret), csrfToken: csrf, address: address, at: now)
        var response = JSONResponse.text(JSONText.object([
            ("name", JSONText.quoted(account.name)), ("role", JSONText.quoted(account.role.rawValue)), ("csrf_token", JSONText.quoted(csrf)),
        ]))
        response.setCookie(Cookie(name: AuthenticationMiddleware.sessionCookie, value: secret, path: "/", secure: secureCookies,
                                  httpOnly: true, sameSite: .strict))
        return response
    }

    /// Ends the session: 204, or with a `then` form field (the console's sign-out button) 303 to that path.
    func signOut(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        _ = try context.requireAccount()
        if let cookie = request.cookies[AuthenticationMiddleware.sessionCookie] {
            try accounts.endSession(digest: SecretToken.digest(cookie.value), at: Date())
        }
        var request = request
        let isForm = request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        let then = isForm ? FormFields(String(buffer: try await request.collectBody(upTo: policy.maximumBodyBytes)))["then"] : nil
        var response = then.map { ConsoleRoutes.seeOther(ConsoleRoutes.safeDestination($0)) } ?? Response(status: .noContent)
        response.setCookie(Cookie(name: AuthenticationMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookies,
                                  httpOnly: true, sameSite: .strict))
        return response
    }

    /// The address sign-in attempts are counted against: the connection's, or, when that is a proxy on this machine
    /// (a loopback address), the last address the proxy added to `X-Forwarded-For`.
    static func clientAddress(_ request: Request, _ context: CareHubRequestContext) -> String {
        let peer = context.clientAddress
        guard peer.hasPrefix("127.") || peer == "::1",
              let forwarded = request.headers[Self.forwardedFor]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces),
              !forwarded.isEmpty
        else { return peer }
        return forwarded
    }
}
