import CareHubCore
import CareHubStore
import Foundation
import Hummingbird

/// The care team's console: server-rendered pages beside the API, every one behind a session (or token) but the
/// sign-in form. `carehub serve --http` adds them through `buildHTTPApplication(_:extraRoutes:logger:)`.
///
/// - `GET /login`: the sign-in form (it posts to `POST /login` with `then=/`, which answers with a redirect).
/// - `GET /`: the queue, live over `/api/v1/stream`; `POST /incidents/{id}/ack` and `…/resolve` are its forms.
/// - `GET /homes`, `GET /homes/{home}`: every home at a glance, and one home (recorded in the audit as viewed).
///
/// A form's failure (someone else acknowledged first, an unknown outcome) shows the queue again with the reason as
/// one sentence, and the status the API would have answered.
public struct ConsoleRoutes: HTTPRouteCollection {
    let database: HubDatabase
    let policy: HTTPPolicy
    /// The time zone times are shown in, and today's heat map is cut by when a home has none of its own.
    let timeZone: String
    /// The homes' rule settings, for what a home's page says about its learned routine.
    let rules: RuleSettingsBook

    public init(database: HubDatabase, policy: HTTPPolicy = HTTPPolicy(), timeZone: String, rules: RuleSettingsBook = RuleSettingsBook()) {
        self.database = database
        self.policy = policy
        self.timeZone = timeZone
        self.rules = rules
    }

    /// The paths the console adds; the OpenAPI description covers the API, not these pages.
    public static let pagePaths: Set<String> = ["/login", "/", "/homes", "/homes/{home}", "/incidents/{id}/ack", "/incidents/{id}/resolve",
                                                  "/homes/{home}/visit", "/homes/{home}/back"]

    /// The sign-in form (and its POST, which `SessionRoutes` answers) needs no session.
    public var publicPaths: Set<String> { ["/login"] }

    public func register(on router: Router<CareHubRequestContext>) {
        router.get("/login") { request, _ in Self.signInPage(then: QueryParameters(request: request).text("then"), error: nil) }
        router.get("/") { _, context in try queuePage(context) }
        router.post("/incidents/{id}/ack") { request, context in try await acknowledge(request, context) }
        router.post("/incidents/{id}/resolve") { request, context in try await resolve(request, context) }
        router.get("/homes") { _, context in try homesPage(context) }
        router.get("/homes/{home}") { _, context in try homePage(context) }
        router.post("/homes/{home}/visit") { request, context in try await visit(request, context) }
        router.post("/homes/{home}/back") { _, context in try await back(context) }
    }

    /// The page's form fields (the middleware has already checked the CSRF token among them).
    func form(of request: Request) async throws -> FormFields {
        var request = request
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw HTTPProblem(.badRequest, "Send the console's form (application/x-www-form-urlencoded).")
        }
        return FormFields(String(buffer: try await request.collectBody(upTo: policy.maximumBodyBytes)))
    }

    /// `perform`'s redirect, or `page` again (the queue, a home) with the reason it failed as one sentence and the status
    /// the API would have answered.
    func answering(
        on page: (String, HTTPResponse.Status) throws -> Response, _ perform: () async throws -> Response
    ) async throws -> Response {
        let problem: HTTPProblem
        do {
            return try await perform()
        } catch let error as HTTPProblem {
            problem = error
        } catch let error as IncidentConflict {
            problem = HTTPProblem(error)
        } catch let error as StoreError where [.notFound, .conflict, .invalidInput].contains(error.kind) {
            problem = HTTPProblem(error)
        }
        guard problem.status != .unauthorized else { throw problem }
        return try page(problem.detail, problem.status)
    }

    /// A redirect after a form (303: the browser follows it with a GET).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
