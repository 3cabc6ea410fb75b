import CareHubCore
import CareHubHTTP
import CareHubRecords
import CareHubStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct HomeAndReadingRoutesTests {
    static func motion(_ id: String, at date: Date) -> String {
        #"{"id":"\#(id)","ts":"\#(RFC3339.format(date))","type":"motion","room":"kitchen","value":true}"#
    }

    @Test func homesAreListedAndOpeningOneIsAudited() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.receive(Self.motion("m1", at: Date()), home: "flat-12")
        try fixture.receive(Self.motion("m2", at: Date()), home: "flat-14")
        try await fixture.test { client in
            let list = try await client.execute(uri: "/api/v1/homes", method: .get, headers: fixture.bearer(.carer))
            #expect(list.status == .ok)
            #expect(try list.array().map { $0["home"] as? String } == ["flat-12", "flat-14"])
            let one = try await client.execute(uri: "/api/v1/homes/flat-14", method: .get, headers: fixture.bearer(.carer))
            #expect(one.status == .ok)
            #expect(try one.object()["home"] as? String == "flat-14")
            #expect(try one.object()["timezone"] as? String == "Europe/London")
            let unknown = try await client.execute(uri: "/api/v1/homes/flat-99", method: .get, headers: fixture.bearer(.carer))
            #expect(unknown.status == .notFound)
        }
        let audit = try AuditQueries(database: fixture.database).list(home: "flat-14", since: nil, limit: 100)
        #expect(audit.filter { $0.action == "home_viewed" }.map(\.actor) == [HTTPFixture.carer])
        #expect(try AuditQueries(database: fixture.database).list(home: "flat-12", since: nil, limit: 100).filter { $0.action == "home_viewed" }.isEmpty,
                "listing every home is not opening one")
    }

    @Test func awayVisitAndBackNeedALeadAndAreAuditedUnderTheirName() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.receive(Self.motion("m1", at: Date()))
        let until = RFC3339.format(Date().addingTimeInterval(7 * 86_400))
        try await fixture.test { client in
            let carer = try await client.execute(uri: "/api/v1/homes/flat-12/away", method: .post, headers: fixture.bearer(.carer),
                                                 body: jsonBody(#"{"until": "\#(until)"}"#))
            #expect(carer.status == .forbidden)
            let away = try await client.execute(uri: "/api/v1/homes/flat-12/away", method: .post, headers: fixture.bearer(.lead),
                                                body: jsonBody(#"{"until": "\#(until)"}"#))
            #expect(away.status == .ok)
            #expect(try away.object()["status"] as? String == "away (holiday)")
            let past = try await client.execute(uri: "/api/v1/homes/flat-12/away", method: .post, headers: fixture.bearer(.lead),
                                                body: jsonBody(#"{"until": "2020-01-01T00:00:00Z"}"#))
            #expect(past.status == .badRequest)
            let visit = try await client.execute(uri: "/api/v1/homes/flat-12/visit", method: .post, headers: fixture.bearer(.admin),
                                                 body: jsonBody(#"{"for": "90m"}"#))
            #expect(visit.status == .ok)
            #expect(try visit.object()["status"] as? String == "visit")
            let long = try await client.execute(uri: "/api/v1/homes/flat-12/visit", method: .post, headers: fixture.bearer(.lead),
                                                body: jsonBody(#"{"for": "13h"}"#))
            #expect(long.status == .badRequest)
            let back = try await client.execute(uri: "/api/v1/homes/flat-12/back", method: .post, headers: fixture.bearer(.lead))
            #expect(back.status == .ok)
            let carerBack = try await client.execute(uri: "/api/v1/homes/flat-12/back", method: .post, headers: fixture.bearer(.carer))
            #expect(carerBack.status == .forbidden)
            let unknown = try await client.execute(uri: "/api/v1/homes/flat-99/back", method: .post, headers: fixture.bearer(.lead))
            #expect(unknown.status == .notFound)
        }
        let audit = try AuditQueries(database: fixture.database).list(home: "flat-12", since: nil, limit: 100)
        #expect(audit.filter { ["away", "visit", "back"].contains($0.action) }.map { "\($0.action) \($0.actor)" }
                == ["away \(HTTPFixture.lead)", "visit \(HTTPFixture.admin)", "back \(HTTPFixture.lead)"])
    }

    @Test func eventsComeNewestFirstWithTheCommandLinesSince() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let now = Date()
        try fixture.receive(Self.motion("old", at: now.addingTimeInterval(-3 * 3600)), at: now.addingTimeInterval(-3 * 3600))
        try fixture.receive(Self.motion("new", at: now.addingTimeInterval(-60)), at: now.addingTimeInterval(-60))
        try fixture.receive(Self.motion("other", at: now.addingTimeInterval(-30)), home: "flat-14", at: now.addingTimeInterval(-30))
        try await fixture.test { client in
            let all = try await client.execute(uri: "/api/v1/events", method: .get, headers: fixture.bearer(.carer))
            #expect(all.status == .ok)
            #expect(try all.array().map { $0["id"] as? String } == ["other", "new", "old"])
            let recent = try await client.execute(uri: "/api/v1/events?home=flat-12&since=2h", method: .get, headers: fixture.bearer(.carer))
            #expect(try recent.array().map { $0["id"] as? String } == ["new"])
            let since = RFC3339.format(now.addingTimeInterval(-4 * 3600)).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let byTime = try await client.execute(uri: "/api/v1/events?home=flat-12&since=\(since)&limit=1", method: .get, headers: fixture.bearer(.carer))
            #expect(try byTime.array().map { $0["id"] as? String } == ["new"])
            let record = try #require(try all.array().first)
            for field in ["id", "home", "device", "type", "value", "ts", "received_at"] { #expect(record.keys.contains(field), "missing \(field)") }
            for query in ["since=yesterday", "limit=0", "limit=5000"] {
                let bad = try await client.execute(uri: "/api/v1/events?\(query)", method: .get, headers: fixture.bearer(.carer))
                #expect(bad.status == .badRequest, "\(query)")
            }
            let unknown = try await client.execute(uri: "/api/v1/events?home=flat-99", method: .get, headers: fixture.bearer(.carer))
            #expect(unknown.status == .notFound)
        }
    }

    @Test func statusIsTheCommandLinesStatus() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.receive(Self.motion("m1", at: Date()))
        try fixture.raise(.pendant)
        try await fixture.test { client in
            let response = try await client.execute(uri: "/api/v1/status", method: .get, headers: fixture.bearer(.carer))
            #expect(response.status == .ok)
            let status = try response.object()
            let cli = try JSONSerialization.jsonObject(with: Data(try OutputRecord.status(of: fixture.database).jsonText.utf8)) as? [String: Any]
            #expect(Set(status.keys) == Set(cli?.keys.map { $0 } ?? []))
            #expect(status.int("events_stored") == 1)
            #expect((status["incidents"] as? [String: Any])?.int("open") == 1)
        }
    }

    @Test func onlyAnAdministratorListsAccountsAndNeverTheirSecrets() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            let lead = try await client.execute(uri: "/api/v1/users", method: .get, headers: fixture.bearer(.lead))
            #expect(lead.status == .forbidden)
            let admin = try await client.execute(uri: "/api/v1/users", method: .get, headers: fixture.bearer(.admin))
            #expect(admin.status == .ok)
            #expect(try admin.array().map { "\($0["name"] as? String ?? "") \($0["role"] as? String ?? "")" }
                    == ["\(HTTPFixture.carer) carer", "\(HTTPFixture.lead) lead", "\(HTTPFixture.admin) admin"])
            for secret in fixture.tokens.values { #expect(!admin.text.contains(secret)) }
            #expect(!admin.text.contains("$2"), "no bcrypt hash")
        }
    }
}
