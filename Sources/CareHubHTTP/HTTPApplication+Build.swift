import CareHubStore
import Foundation
import Hummingbird
import Logging

/// The HTTP listener of `carehub serve --http`: the JSON API under `/api/v1`, sign-in at `/login`, and whatever
/// `extraRoutes` add beside them (the operations endpoints; the console's pages). Tests build the same application
/// with their own arguments and drive it with HummingbirdTesting.
///
/// ```swift
/// let app = buildHTTPApplication(HTTPServeArguments(host: "127.0.0.1", port: 8080, publicURL: nil, database: db,
///                                                   timeZone: "Europe/London"), logger: logger)
/// try await ServiceGroup(services: [hub, app], …).run()
/// ```
///
/// The application is a `Service`: it serves until the service group shuts down gracefully.
public func buildHTTPApplication(
    _ arguments: some HTTPApplicationArguments, hashing: PasswordHashing = PasswordHashing(),
    extraRoutes: [any HTTPRouteCollection] = [], logger: Logger
) -> some ApplicationProtocol {
    Application(router: buildHTTPRouter(arguments, hashing: hashing, extraRoutes: extraRoutes),
                configuration: .init(address: .hostname(arguments.host, port: arguments.port), serverName: "CareHub"),
                logger: logger)
}

/// The router alone: every route, behind `ProblemMiddleware` (errors as problem+json, 405 for a known path's other
/// methods) and `AuthenticationMiddleware` (401 without a valid session or token, except on the public paths).
public func buildHTTPRouter(
    _ arguments: some HTTPApplicationArguments, hashing: PasswordHashing = PasswordHashing(), extraRoutes: [any HTTPRouteCollection] = []
) -> Router<CareHubRequestContext> {
    // The routes are registered twice: once on a bare router, to learn them for the 405 answers, then for real.
    let survey = Router(context: CareHubRequestContext.self)
    registerRoutes(on: survey, arguments, hashing: hashing, extraRoutes: extraRoutes)
    let router = Router(context: CareHubRequestContext.self)
    router.add(middleware: ProblemMiddleware(routes: KnownRoutes(survey.routes.map { ($0.path.description, $0.method) })))
    let publicPaths = extraRoutes.reduce(into: SessionRoutes.publicPaths) { $0.formUnion($1.publicPaths) }
    router.add(middleware: AuthenticationMiddleware(accounts: AccountStore(database: arguments.database), policy: arguments.policy,
                                                    publicPaths: publicPaths))
    registerRoutes(on: router, arguments, hashing: hashing, extraRoutes: extraRoutes)
    return router
}

private func registerRoutes(
    on router: Router<CareHubRequestContext>, _ arguments: some HTTPApplicationArguments, hashing: PasswordHashing,
    extraRoutes: [any HTTPRouteCollection]
) {
    let database = arguments.database
    let policy = arguments.policy
    SessionRoutes(accounts: AccountStore(database: database), hashing: hashing, limiter: SignInLimiter(policy: policy), policy: policy,
                  secureCookies: arguments.cookiesAreSecure).register(on: router)
    let api = router.group("api/v1")
    IncidentRoutes(database: database, policy: policy).register(on: api)
    HomeRoutes(database: database, policy: policy, timeZone: arguments.timeZone).register(on: api)
    ReadingRoutes(database: database, timeZone: arguments.timeZone).register(on: api)
    IncidentStreamRoute(database: database, policy: policy).register(on: api)
    api.get("openapi.yaml") { _, context in
        _ = try context.requireAccount()
        return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }
    for collection in extraRoutes { collection.register(on: router) }
}
