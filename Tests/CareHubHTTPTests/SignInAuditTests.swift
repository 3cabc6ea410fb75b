import CareHubCore
import CareHubHTTP
import CareHubStore
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Who signed in to the console, from where, and when they signed out is in the audit under their name, as every
/// action they take is; a failed sign-in is too when the name is an account's. Sessions that are over are purged with
/// the events (`carehub purge`), the audit keeping their record.
@Suite struct SignInAuditTests {
    static func audit(_ fixture: HTTPFixture) throws -> [(action: String, actor: String, details: String?)] {
        try fixture.database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT action, actor, details FROM data_audit WHERE action IN ('signed_in', 'signed_out', 'sign_in_failed') ORDER BY seq
                """).map { ($0["action"], $0["actor"], $0["details"]) }
        }
    }

    @Test func signingInAndOutAndAFailedSignInAreAuditedUnderTheAccountsName() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            #expect(try await signIn(client, name: HTTPFixture.carer, password: "not the password").status == .unauthorized)
            #expect(try await signIn(client, name: "Nobody", password: "my password perhaps").status == .unauthorized)
            let signedIn = try await signIn(client, name: HTTPFixture.carer, password: HTTPFixture.password)
            #expect(signedIn.status == .ok)
            let cookie = try AuthenticationTests.sessionCookie(signedIn)
            let csrf = try #require(try signedIn.object()["csrf_token"] as? String)
            let logout = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: csrf])
            #expect(logout.status == .noContent)
        }
        let entries = try Self.audit(fixture)
        #expect(entries.map(\.action) == ["sign_in_failed", "signed_in", "signed_out"], "\(entries)")
        #expect(entries.allSatisfy { $0.actor == HTTPFixture.carer }, "a name no account has is not written to the audit: \(entries)")
        #expect(entries.first?.details?.contains("\"address\"") == true)
    }

    @Test func sessionsThatAreOverArePurgedAndTheAuditKeepsTheirRecord() throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let store = AccountStore(database: fixture.database)
        let account = try #require(try store.signInCandidate(name: HTTPFixture.carer)?.account)
        let long = Date(timeIntervalSince1970: 1_790_000_000)
        let recent = long.addingTimeInterval(40 * 86_400)
        try store.startSession(for: account, digest: SecretToken.digest("ended long ago"), csrfToken: "a", address: "192.0.2.1", at: long)
        try store.endSession(digest: SecretToken.digest("ended long ago"), at: long.addingTimeInterval(3600))
        try store.startSession(for: account, digest: SecretToken.digest("idle long ago"), csrfToken: "b", address: "192.0.2.1", at: long)
        try store.startSession(for: account, digest: SecretToken.digest("in use"), csrfToken: "c", address: "192.0.2.1", at: recent)
        _ = try PrivacyStore(database: fixture.database).purge(before: long.addingTimeInterval(30 * 86_400), by: "retention", at: recent)
        let left = try fixture.database.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM http_sessions") }
        #expect(left == 1, "only the session still in use is kept")
        #expect(try store.session(digest: SecretToken.digest("in use"), at: recent, idleLimit: 3600) != nil)
        #expect(try Self.audit(fixture).map(\.action) == ["signed_in", "signed_out", "signed_in", "signed_in"])
    }
}
