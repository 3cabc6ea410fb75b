import HTTPTypes

/// The router's paths and their methods, for answering 405 (with `Allow`) rather than 404 when a known path is asked
/// with a method it does not have.
struct KnownRoutes: Sendable {
    private let routes: [(segments: [Substring], method: HTTPRequest.Method)]

    /// `routes` as the router describes them: `/api/v1/incidents/{id}/ack` and its method.
    init(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        self.routes = routes.map { (segments: $0.path.split(separator: "/"), method: $0.method) }
    }

    /// The methods a concrete path answers, sorted; empty for a path no route matches.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        let methods = routes.filter { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { pattern, segment in pattern.hasPrefix("{") || pattern == segment }
        }.map(\.method)
        return Array(Set(methods)).sorted { $0.rawValue < $1.rawValue }
    }
}
