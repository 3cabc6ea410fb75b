import CareHubCore
import CareHubHTTP
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// The arguments tests build the listener with: a temporary database, and a short-lived stream.
struct TestHTTPArguments: HTTPApplicationArguments {
    var host = "127.0.0.1"
    var port = 0
    var publicURL: String?
    var database: HubDatabase
    var timeZone = "Europe/London"
    var policy: HTTPPolicy
}

/// A fresh database in a fresh directory, with three accounts (one of each role) and their API tokens, and the listener
/// over it, driven in process by HummingbirdTesting.
struct HTTPFixture {
    static let carer = "Cara Carer"
    static let lead = "Leo Lead"
    static let admin = "Ada Admin"
    static let password = "correct horse battery"

    let directory: TemporaryDirectory
    let database: HubDatabase
    var arguments: TestHTTPArguments
    let tokens: [AccountRole: String]
    /// bcrypt at its lowest cost: the tests check the rules, not the hash's slowness.
    static let hashing = PasswordHashing(cost: 4)

    init(publicURL: String? = nil, policy: HTTPPolicy = HTTPFixture.testPolicy) throws {
        directory = try TemporaryDirectory(prefix: "carehub-http")
        database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"))
        arguments = TestHTTPArguments(publicURL: publicURL, database: database, policy: policy)
        let administration = AccountAdministration(database: database, hashing: Self.hashing)
        var tokens: [AccountRole: String] = [:]
        for (name, role) in [(Self.carer, AccountRole.carer), (Self.lead, .lead), (Self.admin, .admin)] {
            try administration.add(name: name, role: role, password: Self.password, by: "test")
            tokens[role] = try administration.issueToken(name: name, by: "test")
        }
        self.tokens = tokens
    }

    static var testPolicy: HTTPPolicy {
        var policy = HTTPPolicy()
        policy.streamPollInterval = 0.05
        policy.streamKeepAliveInterval = 0.2
        policy.streamLifetime = 1.0
        return policy
    }

    /// The router as `carehub serve` builds it: the API, and the console and the operations endpoints beside it.
    var router: Router<CareHubRequestContext> {
        buildHTTPRouter(arguments, hashing: Self.hashing, extraRoutes: [
            ConsoleRoutes(database: database, policy: arguments.policy, timeZone: arguments.timeZone), OperationsRoutesTests.routes(ready: true),
        ])
    }

    /// Runs `test` against the listener in process.
    func test<Value: Sendable>(_ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let app = Application(router: router)
        return try await app.test(.router) { client in try await test(client) }
    }

    func bearer(_ role: AccountRole) -> HTTPFields {
        [.authorization: "Bearer \(tokens[role] ?? "")"]
    }

    // MARK: Data

    /// Stores events as the hub's ingest does (registering the home and devices).
    func receive(_ json: String, home: String = "flat-12", device: String = "dev-1", at: Date = Date()) throws {
        let topic = "carehub/v1/\(home)/\(device)/event"
        let payload = Array(json.utf8)
        let decoded = EventDecoder().decode(topic: topic, payload: payload, receivedAt: at)
        let ingestor = Ingestor(store: IngestStore(database: database), registration: .automatic, defaultTimeZone: "Europe/London")
        _ = try ingestor.ingest(.contract(decoded), topic: topic, payload: payload, receivedAt: at)
    }

    /// Raises an incident as the rules would; returns its id.
    @discardableResult
    func raise(_ kind: IncidentKind, home: String = "flat-12", device: String? = "dev-1", event: String? = nil, at: Date = Date()) throws -> Int64 {
        let rules = RulesStore(database: database)
        let checkpoint = try rules.checkpoint() + 1
        let draft = IncidentDraft(home: home, kind: kind, device: device, summary: "\(kind.rawValue) test", at: at, triggerEventID: event)
        let changes = try rules.apply([.raise(draft)], checkpoint: checkpoint, at: at)
        guard case .opened(let id) = changes.first else { throw FixtureError("raising \(kind) did not open an incident: \(changes)") }
        return id
    }

    func remove() { directory.remove() }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    /// The body as JSON (an object or an array).
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed])
    }

    func object() throws -> [String: Any] {
        guard let object = try json() as? [String: Any] else { throw FixtureError("not a JSON object: \(String(buffer: body))") }
        return object
    }

    func array() throws -> [[String: Any]] {
        guard let array = try json() as? [[String: Any]] else { throw FixtureError("not a JSON array: \(String(buffer: body))") }
        return array
    }

    var text: String { String(buffer: body) }
}

/// A JSON request body.
func jsonBody(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

extension Dictionary where Key == String, Value == Any {
    /// A JSON number as an integer, however JSONSerialization boxed it.
    func int(_ key: String) -> Int64? {
        switch self[key] {
        case let value as Int: Int64(value)
        case let value as Int64: value
        case let value as NSNumber: value.int64Value
        default: nil
        }
    }
}
