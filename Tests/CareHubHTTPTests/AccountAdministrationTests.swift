import CareHubCore
import CareHubHTTP
import CareHubStore
import GRDB
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct AccountAdministrationTests {
    @Test func thePasswordFilesFinalNewlineIsNotPartOfThePassword() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let administration = AccountAdministration(database: fixture.database, hashing: HTTPFixture.hashing)
        try administration.add(name: "Jo Evans", role: .carer, password: AccountAdministration.password(fromFileText: "twelve chars\n"), by: "test")
        try administration.add(name: "Kim Lee", role: .carer, password: AccountAdministration.password(fromFileText: "twelve chars\r\n"), by: "test")
        try await fixture.test { client async throws in
            #expect(try await signIn(client, name: "Jo Evans", password: "twelve chars").status == .ok)
            #expect(try await signIn(client, name: "Kim Lee", password: "twelve chars").status == .ok)
            #expect(try await signIn(client, name: "Jo Evans", password: "twelve chars\n").status == .unauthorized)
        }
        #expect(AccountAdministration.password(fromFileText: "inner\nnewline kept\n") == "inner\nnewline kept")
    }

    @Test func aPasswordHasTwelveCharactersAtLeastAndANameIsNotTakenTwice() throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let administration = AccountAdministration(database: fixture.database, hashing: HTTPFixture.hashing)
        #expect(throws: StoreError.self) { try administration.add(name: "Jo Evans", role: .carer, password: "eleven char", by: "test") }
        try administration.add(name: "Jo Evans", role: .carer, password: "twelve chars", by: "test")
        do {
            try administration.add(name: "Jo Evans", role: .admin, password: "another password", by: "test")
            Issue.record("a name was taken twice")
        } catch let error as StoreError {
            #expect(error.kind == .alreadyExists)
        }
        #expect(throws: StoreError.self) { try administration.add(name: " padded", role: .carer, password: "twelve chars", by: "test") }
        let stored = try fixture.database.writer.read { try String.fetchAll($0, sql: "SELECT password_hash FROM accounts WHERE name = 'Jo Evans'") }
        #expect(stored.count == 1 && stored[0].hasPrefix("$2") && !stored[0].contains("twelve"), "only a bcrypt hash is kept")
    }
}
