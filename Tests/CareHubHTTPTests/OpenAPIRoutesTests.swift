import CareHubCore
import CareHubHTTP
import CareHubStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@Suite struct OpenAPIRoutesTests {
    /// The served description, fetched as a client would.
    static func servedDocument(_ fixture: HTTPFixture) async throws -> [String: Any] {
        let text = try await fixture.test { client in
            let response = try await client.execute(uri: "/api/v1/openapi.yaml", method: .get, headers: fixture.bearer(.carer))
            #expect(response.status == .ok)
            return response.text
        }
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let document = try await Self.servedDocument(fixture)
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
        let documented = Set(paths.flatMap { path, operations in
            operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
        })
        // The console's pages are HTML for people, not part of the API the description covers; but for the sign-in page,
        // whose path is also the API's POST /login: an OPTIONS /login answers "Allow: GET, POST", and the description
        // must say so too.
        let routed = Set(fixture.router.routes.filter { !ConsoleRoutes.pagePaths.contains($0.path.description) || $0.path.description == "/login" }
            .map { "\($0.method.rawValue) \($0.path.description)" })
        #expect(routed.subtracting(documented).isEmpty, "routes missing from openapi.yaml: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented routes the router lacks: \(documented.subtracting(routed).sorted())")
        #expect(routed.count >= 17)
    }

    @Test func theDocumentedKindsAndPrioritiesAreTheHubs() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let document = try await Self.servedDocument(fixture)
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let kinds = (schemas?["Kind"] as? [String: Any])?["enum"] as? [String]
        #expect(Set(kinds ?? []) == Set(IncidentKind.allCases.map(\.rawValue)))
        let priorities = (schemas?["Priority"] as? [String: Any])?["enum"] as? [String]
        #expect(priorities == Priority.allCases.map(\.rawValue))
    }
}
