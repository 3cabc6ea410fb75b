import CareHubCore
import CareHubHTTP
import CareHubStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct AuthenticationTests {
    /// The operations endpoints answer without credentials and reveal no personal data; they are added beside the
    /// API by their own route collection. Everything else needs a session or a token.
    static let openWithoutCredentials: Set<String> = ["/metrics", "/healthz", "/readyz"]

    /// A concrete path for a route's pattern.
    static func concrete(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(of: "{home}", with: "flat-12")
    }

    @Test func noRouteButTheOperationsOnesAnswersWithoutAValidSessionOrToken() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.raise(.pendant)
        try AccountStore(database: fixture.database).revoke(name: HTTPFixture.lead, by: "test", at: Date())
        let routes = fixture.router.routes.map { (path: $0.path.description, method: $0.method) }
        #expect(routes.count >= 17)
        try await fixture.test { client in
            // The console's sign-in form is the one page shown without a session (checked below).
            for route in routes where !Self.openWithoutCredentials.contains(route.path) && !(route.path == "/login" && route.method == .get) {
                let path = Self.concrete(route.path)
                let credentials: [(String, HTTPFields)] = [
                    ("none", [:]),
                    ("a wrong token", [.authorization: "Bearer not-a-token"]),
                    ("a revoked account's token", fixture.bearer(.lead)),
                    ("a made-up session", [.cookie: "carehub_session=made-up"]),
                    ("basic credentials", [.authorization: "Basic QWRhOnBhc3N3b3Jk"]),
                ]
                for (what, headers) in credentials {
                    var headers = headers
                    if route.method == .post { headers[.contentType] = "application/x-www-form-urlencoded" }
                    let response = try await client.execute(uri: path, method: route.method, headers: headers,
                                                            body: route.method == .post ? ByteBuffer(string: "name=x&password=y") : nil)
                    #expect(!(200..<300).contains(response.status.code), "\(route) answered \(response.status) with \(what)")
                    if path != "/login" {
                        #expect(response.status == .unauthorized, "\(route) with \(what)")
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                }
            }
            let form = try await client.execute(uri: "/login", method: .get)
            #expect(form.status == .ok)
            #expect(form.text.contains("<form method=\"post\" action=\"/login\">"))
            #expect(!form.text.contains("flat-12"), "the sign-in form tells nothing about homes")
            #expect(routes.contains { $0.path == "/" } && routes.contains { $0.path == "/homes/{home}" }, "the console's pages are covered")
            let unknown = try await client.execute(uri: "/api/v1/secrets", method: .get)
            #expect(unknown.status == .unauthorized, "an unknown path tells nothing without credentials")
            let unknownSignedIn = try await client.execute(uri: "/api/v1/secrets", method: .get, headers: fixture.bearer(.carer))
            #expect(unknownSignedIn.status == .notFound)
            #expect(unknownSignedIn.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func signingInSetsAStrictHttpOnlyCookieThatIsSecureBehindHTTPS() async throws {
        for (publicURL, secure) in [(nil, false), ("http://carehub.local", false), ("https://carehub.example.org", true)] {
            let fixture = try HTTPFixture(publicURL: publicURL)
            defer { fixture.remove() }
            try await fixture.test { client in
                let response = try await signIn(client, name: HTTPFixture.carer, password: HTTPFixture.password)
                #expect(response.status == .ok)
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.hasPrefix("carehub_session="))
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Strict"))
                #expect(cookie.contains("Secure") == secure, "\(publicURL ?? "no public URL")")
                #expect(try response.object()["role"] as? String == "carer")
            }
        }
    }

    @Test func aSessionReadsFreelyButChangesStateOnlyWithItsCSRFToken() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.pendant)
        try await fixture.test { client in
            let signIn = try await signIn(client, name: HTTPFixture.carer, password: HTTPFixture.password)
            let session = try Self.sessionCookie(signIn)
            let csrf = try #require(try signIn.object()["csrf_token"] as? String)
            let read = try await client.execute(uri: "/api/v1/incidents", method: .get, headers: [.cookie: session])
            #expect(read.status == .ok)
            let forged = try await client.execute(uri: "/api/v1/incidents/\(id)/ack", method: .post, headers: [.cookie: session])
            #expect(forged.status == .forbidden, "a cookie alone must not change anything")
            let wrong = try await client.execute(uri: "/api/v1/incidents/\(id)/ack", method: .post,
                                                 headers: [.cookie: session, HTTPField.Name("X-CSRF-Token")!: "guess"])
            #expect(wrong.status == .forbidden)
            let form = try await client.execute(uri: "/api/v1/incidents/\(id)/note", method: .post,
                                                headers: [.cookie: session, .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "csrf_token=\(csrf)"))
            #expect(form.status == .badRequest, "the form's token passes the CSRF check; the body is not the note's JSON")
            let ack = try await client.execute(uri: "/api/v1/incidents/\(id)/ack", method: .post,
                                               headers: [.cookie: session, HTTPField.Name("X-CSRF-Token")!: csrf])
            #expect(ack.status == .ok)
            #expect(try ack.object()["acknowledged_by"] as? String == HTTPFixture.carer)
            let logout = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: session, HTTPField.Name("X-CSRF-Token")!: csrf])
            #expect(logout.status == .noContent)
            let after = try await client.execute(uri: "/api/v1/incidents", method: .get, headers: [.cookie: session])
            #expect(after.status == .unauthorized, "a session ends when its owner signs out")
        }
    }

    @Test func aBearerTokenNeedsNoCSRFToken() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.pendant)
        try await fixture.test { client in
            let ack = try await client.execute(uri: "/api/v1/incidents/\(id)/ack", method: .post, headers: fixture.bearer(.carer))
            #expect(ack.status == .ok)
        }
    }

    @Test func wrongPasswordsAreRefusedAndThenRateLimitedPerName() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            let unknown = try await signIn(client, name: "Nobody", password: HTTPFixture.password)
            #expect(unknown.status == .unauthorized)
            for attempt in 1...5 {
                let wrong = try await signIn(client, name: HTTPFixture.carer, password: "wrong password \(attempt)")
                #expect(wrong.status == .unauthorized, "attempt \(attempt)")
            }
            let limited = try await signIn(client, name: HTTPFixture.carer, password: HTTPFixture.password)
            #expect(limited.status == .tooManyRequests, "the sixth attempt within 15 min is refused, even with the right password")
            #expect(limited.headers[.retryAfter] != nil)
            let other = try await signIn(client, name: HTTPFixture.lead, password: HTTPFixture.password)
            #expect(other.status == .ok, "another name from the same address still signs in")
            let noForm = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: #"{"name": "x"}"#))
            #expect(noForm.status == .badRequest)
        }
    }

    @Test func signInsAreRateLimitedPerAddress() async throws {
        var policy = HTTPFixture.testPolicy
        policy.signInFailuresPerAddress = 3
        let fixture = try HTTPFixture(policy: policy)
        defer { fixture.remove() }
        try await fixture.test { client in
            for name in ["a", "b", "c"] {
                #expect(try await signIn(client, name: name, password: "wrong").status == .unauthorized)
            }
            let limited = try await signIn(client, name: HTTPFixture.carer, password: HTTPFixture.password)
            #expect(limited.status == .tooManyRequests)
        }
    }

    @Test func aRevokedAccountCannotSignIn() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try AccountStore(database: fixture.database).revoke(name: HTTPFixture.carer, by: "test", at: Date())
        try await fixture.test { client in
            #expect(try await signIn(client, name: HTTPFixture.carer, password: HTTPFixture.password).status == .unauthorized)
            let token = try await client.execute(uri: "/api/v1/incidents", method: .get, headers: fixture.bearer(.carer))
            #expect(token.status == .unauthorized)
        }
    }

    @Test func aSessionExpiresAfterTwelveHoursIdle() throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let store = AccountStore(database: fixture.database)
        let account = try #require(try store.signInCandidate(name: HTTPFixture.carer)?.account)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let digest = SecretToken.digest("cookie secret")
        try store.startSession(for: account, digest: digest, csrfToken: "csrf", address: "127.0.0.1", at: start)
        let limit = HTTPPolicy().sessionIdleLimit
        #expect(limit == 12 * 3600)
        #expect(try store.session(digest: digest, at: start.addingTimeInterval(11 * 3600), idleLimit: limit)?.account.name == HTTPFixture.carer)
        #expect(try store.session(digest: digest, at: start.addingTimeInterval(22 * 3600), idleLimit: limit) != nil,
                "a request within 12 h moved the idle clock on")
        #expect(try store.session(digest: digest, at: start.addingTimeInterval(34 * 3600 + 1), idleLimit: limit) == nil)
    }

    static func sessionCookie(_ response: TestResponse) throws -> String {
        let header = try #require(response.headers[.setCookie])
        return String(header.prefix { $0 != ";" })
    }
}

/// Signs in with the form `/login` takes.
func signIn(_ client: some TestClientProtocol, name: String, password: String) async throws -> TestResponse {
    let form = "name=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
    return try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                    body: ByteBuffer(string: form))
}

@Suite struct SignInAddressTests {
    @Test func behindAProxyOnThisMachineSignInsCountAgainstTheForwardedAddress() async throws {
        var policy = HTTPFixture.testPolicy
        policy.signInFailuresPerAddress = 2
        let fixture = try HTTPFixture(policy: policy)
        defer { fixture.remove() }
        let app = Application(router: fixture.router)
        try await app.test(.live) { client in
            func attempt(_ name: String, _ password: String, from address: String) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/login", method: .post,
                                         headers: [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Forwarded-For")!: address],
                                         body: ByteBuffer(string: "name=\(name)&password=\(password)")).status
            }
            #expect(try await attempt("a", "wrong", from: "203.0.113.7") == .unauthorized)
            #expect(try await attempt("b", "wrong", from: "203.0.113.7") == .unauthorized)
            #expect(try await attempt("c", "wrong", from: "203.0.113.7") == .tooManyRequests, "the proxied client is limited")
            let other = try await attempt(HTTPFixture.carer.replacingOccurrences(of: " ", with: "+"), "correct+horse+battery", from: "198.51.100.9")
            #expect(other == .ok, "another client behind the same proxy still signs in")
        }
    }
}

@Suite struct MethodNotAllowedTests {
    @Test func aKnownPathAskedWithAnotherMethodIs405WithAllow() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            let delete = try await client.execute(uri: "/api/v1/incidents/7", method: .delete, headers: fixture.bearer(.carer))
            #expect(delete.status == .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET")
            #expect(delete.headers[.contentType] == "application/problem+json")
            let get = try await client.execute(uri: "/api/v1/incidents/7/ack", method: .get, headers: fixture.bearer(.carer))
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST")
            let anonymous = try await client.execute(uri: "/api/v1/incidents/7", method: .delete)
            #expect(anonymous.status == .unauthorized, "without credentials nothing is told about the path")
            let unknown = try await client.execute(uri: "/api/v1/incidents/7/delete", method: .post, headers: fixture.bearer(.carer))
            #expect(unknown.status == .notFound)
        }
    }
}
