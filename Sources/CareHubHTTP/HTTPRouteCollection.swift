import Hummingbird

/// Routes added to the listener beside the API (the operations endpoints, later the console's pages). Paths in
/// `publicPaths` answer without a session or token: keep it to what reveals no personal data (`/metrics`,
/// `/healthz`, `/readyz`).
public protocol HTTPRouteCollection: Sendable {
    var publicPaths: Set<String> { get }
    func register(on router: Router<CareHubRequestContext>)
}
