import CareHubCore
import CareHubHTTP
import CareHubStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The console's pages, in process: the sign-in form, the queue, the homes and one home; escaping of untrusted text.
@Suite struct ConsolePageTests {
    static let hostile = "<script>alert(\"x\")</script>&'"

    @Test func theSignInFormSignsInAndSendsTheBrowserOnOnlyWithinTheSite() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            let page = try await client.execute(uri: "/login?then=/homes", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains(#"<label for="name">Name</label><input id="name""#))
            #expect(page.text.contains(#"name="then" value="/homes""#))
            func post(_ form: String) async throws -> TestResponse {
                try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: form))
            }
            let signedIn = try await post("name=Cara+Carer&password=correct+horse+battery&then=%2Fhomes")
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/homes")
            let cookie = try AuthenticationTests.sessionCookie(signedIn)
            let queue = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie])
            #expect(queue.status == .ok)
            let elsewhere = try await post("name=Cara+Carer&password=correct+horse+battery&then=%2F%2Fevil.example")
            #expect(elsewhere.headers[.location] == "/", "a sign-in never sends the browser to another site")
            let wrong = try await post("name=Cara+Carer&password=wrong&then=%2F")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.contentType] == "text/html; charset=utf-8")
            #expect(wrong.text.contains("The name or password is wrong; check both and try again."))
            #expect(wrong.headers[.setCookie] == nil)
        }
    }

    @Test func aBrowserWithoutASessionIsSentToSignInAndAProgramGetsA401() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            let browser = try await client.execute(uri: "/homes/flat-12", method: .get, headers: [.accept: "text/html,application/xhtml+xml"])
            #expect(browser.status == .seeOther)
            #expect(browser.headers[.location] == "/login?then=/homes/flat-12")
            let program = try await client.execute(uri: "/homes/flat-12", method: .get)
            #expect(program.status == .unauthorized)
            let api = try await client.execute(uri: "/api/v1/homes", method: .get, headers: [.accept: "text/html"])
            #expect(api.status == .unauthorized, "the API never redirects")
        }
    }

    @Test func aSignedInBrowserAskingForAPageThatDoesNotExistGetsAPageSayingSoAndAProgramGetsAProblem() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            let session = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let page = try await session.get(client, "/no-such-page")
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("There is no page at /no-such-page; the queue is at /, the homes at /homes."))
            let program = try await client.execute(uri: "/api/v1/no-such-thing", method: .get, headers: [.cookie: session.cookie, .accept: "text/html"])
            #expect(program.status == .notFound)
            #expect(program.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func theQueueShowsOpenAndAcknowledgedIncidentsMostUrgentFirstWithUntrustedTextEscaped() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let old = Date().addingTimeInterval(-600)
        let lesser = try Self.raise(fixture, .lowBattery, summary: "Battery low", at: old)
        let emergency = try Self.raise(fixture, .pendant, summary: Self.hostile)
        let resolved = try fixture.raise(.fall, home: "flat-14")
        _ = try IncidentStore(database: fixture.database).resolve(resolved, by: "test", outcome: .falseAlarm, note: nil, at: Date())
        try await fixture.test { client in
            let session = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let page = try await session.get(client, "/")
            #expect(page.status == .ok)
            let html = page.text
            #expect(!html.contains("<script>alert"), "a summary is text, never markup")
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"))
            let first = try #require(html.range(of: "id=\"incident-\(emergency)\""))
            let second = try #require(html.range(of: "id=\"incident-\(lesser)\""))
            #expect(first.lowerBound < second.lowerBound, "the emergency comes before the older, less urgent one")
            #expect(!html.contains("id=\"incident-\(resolved)\""))
            #expect(html.contains(#"<meta name="csrf-token" content="\#(session.csrf)">"#))
            #expect(html.contains(#"<p class="check"><input type="checkbox" id="sound"><label for="sound">"#), "the sound is off by default and labelled")
            #expect(html.contains(#"<th scope="col">Priority</th>"#))
            #expect(html.contains(##"<a class="skip" href="#main">"##))
            #expect(html.contains("new EventSource(\"/api/v1/stream\")"))
            let policy = try #require(page.headers[.contentSecurityPolicy])
            let nonce = try #require(policy.firstMatch(of: /script-src 'nonce-([A-Za-z0-9_-]+)'/)?.1)
            #expect(html.contains("<script nonce=\"\(nonce)\">"), "only the page's own script runs")
        }
    }

    @Test func aHomesPageShowsEachHomesStateAndAHomeItsDayAsAHeatMapAndIsAudited() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let now = Date()
        try fixture.receive(#"{"id":"m1","ts":"\#(RFC3339.format(now))","type":"motion","room":"\#(Self.jsonHostile)","value":true}"#)
        try fixture.receive(#"{"id":"m2","ts":"\#(RFC3339.format(now))","type":"motion","room":"kitchen","value":true}"#)
        try fixture.receive(#"{"id":"m3","ts":"\#(RFC3339.format(now))","type":"motion","room":"kitchen","value":true}"#, home: "flat-14")
        try fixture.raise(.pendant, home: "flat-14")
        try await fixture.test { client in
            let session = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let homes = try await session.get(client, "/homes")
            #expect(homes.status == .ok)
            let flat14 = try #require(homes.text.range(of: "href=\"/homes/flat-14\""))
            let flat12 = try #require(homes.text.range(of: "href=\"/homes/flat-12\""))
            #expect(flat14.lowerBound < flat12.lowerBound, "a home with an open incident comes first")
            #expect(homes.text.contains("at home · <strong>1 open incident</strong>"))
            let home = try await session.get(client, "/homes/flat-12")
            #expect(home.status == .ok)
            #expect(!home.text.contains("<script>alert"), "a room name is text, never markup")
            #expect(home.text.contains("&lt;script&gt;alert"))
            #expect(home.text.contains(#"<svg class="chart" id="heatmap" role="img""#))
            let hour = String(format: "%02d", ConsoleTestClock.hour(now))
            #expect(home.text.contains("kitchen, \(hour):00: 1 event"))
            #expect(!home.text.contains("Start a visit"), "a carer sees no lead's buttons")
            let unknown = try await session.get(client, "/homes/flat-99")
            #expect(unknown.status == .notFound)
        }
        let audit = try AuditQueries(database: fixture.database).list(home: "flat-12", since: nil, limit: 100)
        #expect(audit.filter { $0.action == "home_viewed" }.map(\.actor) == [HTTPFixture.carer])
    }

    /// The hostile text as it sits inside a JSON string.
    static let jsonHostile = #"<script>alert(\"x\")</script>&'"#

    /// Raises an incident with the given summary, as the rules would.
    @discardableResult
    static func raise(_ fixture: HTTPFixture, _ kind: IncidentKind, summary: String, home: String = "flat-12", at: Date = Date()) throws -> Int64 {
        let rules = RulesStore(database: fixture.database)
        let draft = IncidentDraft(home: home, kind: kind, device: "dev-1", summary: summary, at: at, triggerEventID: nil)
        let changes = try rules.apply([.raise(draft)], checkpoint: try rules.checkpoint() + 1, at: at)
        guard case .opened(let id) = changes.first else { throw FixtureError("raising \(kind) did not open an incident: \(changes)") }
        return id
    }
}

/// The hour the console shows for an instant (the fixture's homes are in Europe/London).
enum ConsoleTestClock {
    static func hour(_ date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        return calendar.component(.hour, from: date)
    }
}

@Suite struct ConsoleQueueLengthTests {
    @Test func theQueueShowsTheHundredMostUrgentAndSaysHowManyMoreThereAre() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let start = Date().addingTimeInterval(-3600)
        for index in 0..<101 {
            try ConsolePageTests.raise(fixture, .lowBattery, summary: "battery \(index)", home: "flat-\(index)", at: start.addingTimeInterval(Double(index)))
        }
        let emergency = try fixture.raise(.pendant, home: "flat-500")
        try await fixture.test { client in
            let session = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let page = try await session.get(client, "/")
            #expect(page.status == .ok)
            let rows = page.text.matches(of: /<tr id="incident-\d+"/).count
            #expect(rows == 100)
            #expect(page.text.contains("id=\"incident-\(emergency)\""), "the newest emergency is among them, being the most urgent")
            #expect(page.text.contains("The 100 most urgent of 102 open and acknowledged incidents are shown"))
        }
    }
}
