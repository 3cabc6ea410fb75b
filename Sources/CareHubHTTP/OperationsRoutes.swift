import Hummingbird
import NIOCore

/// `GET /metrics`, `/healthz` and `/readyz` (contract section 7, Operations): answered without credentials, and saying
/// nothing about any home or person. The hub's own numbers and readiness come in as closures, so this module needs no
/// part of the hub (`carehub serve` passes `Hub.operations`; tests pass their own).
public struct OperationsRoutes: HTTPRouteCollection {
    /// The Prometheus text exposition; a thrown error is answered 500 (the database could not be read).
    let metricsText: @Sendable () throws -> String
    let metricsContentType: String
    /// Whether the hub is ready (connected to the broker, its rules caught up), and why not.
    let readiness: @Sendable () -> (ready: Bool, reason: String)

    public init(metricsText: @escaping @Sendable () throws -> String, metricsContentType: String,
                readiness: @escaping @Sendable () -> (ready: Bool, reason: String)) {
        self.metricsText = metricsText
        self.metricsContentType = metricsContentType
        self.readiness = readiness
    }

    public var publicPaths: Set<String> { ["/metrics", "/healthz", "/readyz"] }

    public func register(on router: Router<CareHubRequestContext>) {
        router.get("/healthz") { _, _ in Self.text(.ok, "The hub process is serving.\n") }
        router.get("/readyz") { _, _ in
            let state = readiness()
            return Self.text(state.ready ? .ok : .serviceUnavailable, state.reason + "\n")
        }
        router.get("/metrics") { _, _ in
            do {
                return Self.text(.ok, try metricsText(), contentType: metricsContentType)
            } catch {
                return Self.text(.internalServerError, "The metrics could not be read: \(error)\n")
            }
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
