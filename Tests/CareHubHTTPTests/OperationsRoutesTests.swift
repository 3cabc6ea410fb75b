import CareHubHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/metrics`, `/healthz` and `/readyz` on the listener: open without credentials, 503 with the reason when the hub is
/// not ready, 500 when the metrics cannot be read.
@Suite struct OperationsRoutesTests {
    struct Unreadable: Error, CustomStringConvertible { var description: String { "disk I/O error" } }

    static func routes(ready: Bool, metricsFail: Bool = false) -> OperationsRoutes {
        OperationsRoutes(metricsText: {
            if metricsFail { throw Unreadable() }
            return "# TYPE carehub_events_stored_total counter\ncarehub_events_stored_total 3\n"
        }, metricsContentType: "text/plain; version=0.0.4", readiness: {
            ready ? (true, "Connected to the broker, and the rules have caught up with what is stored.")
                : (false, "The hub is not connected to the broker (connection refused).")
        })
    }

    @Test func theOperationsEndpointsAnswerWithoutCredentials() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        for ready in [true, false] {
            let app = Application(router: buildHTTPRouter(fixture.arguments, hashing: HTTPFixture.hashing, extraRoutes: [Self.routes(ready: ready)]))
            try await app.test(.router) { client in
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .ok)
                let readiness = try await client.execute(uri: "/readyz", method: .get)
                #expect(readiness.status == (ready ? .ok : .serviceUnavailable))
                #expect(String(buffer: readiness.body).contains(ready ? "caught up" : "not connected to the broker"))
                let metrics = try await client.execute(uri: "/metrics", method: .get)
                #expect(metrics.status == .ok)
                #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4")
                #expect(String(buffer: metrics.body).contains("carehub_events_stored_total 3"))
                let api = try await client.execute(uri: "/api/v1/status", method: .get)
                #expect(api.status == .unauthorized, "the API beside them still needs credentials")
            }
        }
    }

    @Test func metricsThatCannotBeReadAreAServerError() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let app = Application(router: buildHTTPRouter(fixture.arguments, hashing: HTTPFixture.hashing,
                                                      extraRoutes: [Self.routes(ready: true, metricsFail: true)]))
        try await app.test(.router) { client in
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .internalServerError)
            #expect(String(buffer: metrics.body).contains("disk I/O error"))
        }
    }
}
