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

/// The router alone: every route, behind `ProblemMiddleware` (errors as problem+json) and `AuthenticationMiddleware`
/// (401 without a valid session or token, except on the public paths).
public func buildHTTPRouter(
    _ arguments: some HTTPApplicationArguments, hashing: PasswordHashing = PasswordHashing(), extraRoutes: [any HTTPRouteCollection] = []
) -> Router<CareHubRequestContext> {
    let database = arguments.database
    let policy = arguments.policy
    let accounts = AccountStore(database: database)
    let router = Router(context: CareHubRequestContext.self)
    router.add(middleware: ProblemMiddleware())
    let publicPaths = extraRoutes.reduce(into: SessionRoutes.publicPaths) { $0.formUnion($1.publicPaths) }
    router.add(middleware: AuthenticationMiddleware(accounts: accounts, policy: policy, publicPaths: publicPaths))
    SessionRoutes(accounts: accounts, hashing: hashing, limiter: SignInLimiter(policy: policy), policy: policy,
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
    return router
}
