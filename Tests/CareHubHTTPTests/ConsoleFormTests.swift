import CareHubCore
import CareHubRecords
import CareHubHTTP
import CareHubStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The console's forms, in process: acknowledge with a note, resolve with an outcome, a lead's visit; each only with
/// the session's CSRF token, each failure shown as one sentence on the page.
@Suite struct ConsoleFormTests {
    @Test func acknowledgingTakesTheNoteInOneStepAndTheSecondPersonIsToldWhoWasFirst() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.pendant)
        try await fixture.test { client in
            let cara = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let leo = try await ConsoleSession.signIn(client, as: HTTPFixture.lead)
            let forged = try await cara.post(client, "/incidents/\(id)/ack", [("note", "On my way")], csrf: false)
            #expect(forged.status == .forbidden, "a form without the session's CSRF token changes nothing")
            let guessed = try await client.execute(uri: "/incidents/\(id)/ack", method: .post,
                                                   headers: [.cookie: cara.cookie, .contentType: "application/x-www-form-urlencoded"],
                                                   body: ByteBuffer(string: "csrf_token=\(leo.csrf)&note=x"))
            #expect(guessed.status == .forbidden, "another session's token does not do")
            let first = try await cara.post(client, "/incidents/\(id)/ack", [("note", "On my way <b>now</b>")])
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/#incident-\(id)")
            let second = try await leo.post(client, "/incidents/\(id)/ack", [("note", "Me too")])
            #expect(second.status == .conflict)
            #expect(second.headers[.contentType] == "text/html; charset=utf-8")
            let sentence = try #require(second.text.firstMatch(of: /<p class="error" role="alert">([^<]*)<\/p>/)?.1)
            #expect(sentence.contains(HTTPFixture.carer), "the sentence says who acknowledged first: \(sentence)")
            #expect(second.text.contains("id=\"incident-\(id)\""), "the queue is shown again beneath it")
        }
        let detail = try IncidentDetail.load(id, from: fixture.database)
        #expect(detail.incident.acknowledgedBy == HTTPFixture.carer)
        #expect(detail.timeline.contains { $0.note == "On my way <b>now</b>" }, "the note is stored as written, in the same step")
    }

    @Test func resolvingTakesOneOfTheStaffOutcomes() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.pendant)
        try await fixture.test { client in
            let cara = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let page = try await cara.get(client, "/")
            for outcome in Outcome.staffChoices {
                #expect(page.text.contains("<option value=\"\(outcome.rawValue)\">"))
            }
            #expect(!page.text.contains("<option value=\"cleared\">"), "cleared is the hub's own outcome")
            let bad = try await cara.post(client, "/incidents/\(id)/resolve", [("outcome", "cleared")])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Choose how the incident ended: one of resident is OK, visited, false alarm"))
            let missing = try await cara.post(client, "/incidents/999/resolve", [("outcome", "visited")])
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("role=\"alert\""))
            let resolved = try await cara.post(client, "/incidents/\(id)/resolve", [("outcome", "visited"), ("note", "All well")])
            #expect(resolved.status == .seeOther)
            let after = try await cara.get(client, "/")
            #expect(!after.text.contains("id=\"incident-\(id)\""))
            #expect(after.text.contains("<p id=\"empty\">Nothing needs attention.</p>"))
        }
        let incident = try IncidentDetail.load(id, from: fixture.database).incident
        #expect(incident.state == .resolved)
        #expect(incident.outcome == "visited")
        #expect(incident.resolvedBy == HTTPFixture.carer)
    }

    @Test func onlyALeadMayStartAVisitFromAHomesPage() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.receive(HomeAndReadingRoutesTests.motion("m1", at: Date()))
        try await fixture.test { client in
            let cara = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let refused = try await cara.post(client, "/homes/flat-12/visit", [("for", "1h")])
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("This needs the lead role or above; your account Cara Carer is a carer."))
            let leo = try await ConsoleSession.signIn(client, as: HTTPFixture.lead)
            #expect(try await leo.get(client, "/homes/flat-12").text.contains("Start a visit"))
            let tooLong = try await leo.post(client, "/homes/flat-12/visit", [("for", "3d")])
            #expect(tooLong.status == .badRequest)
            let started = try await leo.post(client, "/homes/flat-12/visit", [("for", "1h")])
            #expect(started.status == .seeOther)
            #expect(started.headers[.location] == "/homes/flat-12")
            #expect(try await leo.get(client, "/homes/flat-12").text.contains("<dt>Visit until</dt>"))
            let back = try await leo.post(client, "/homes/flat-12/back", [])
            #expect(back.status == .seeOther)
        }
        let audit = try AuditQueries(database: fixture.database).list(home: "flat-12", since: nil, limit: 100)
        #expect(audit.contains { $0.actor == HTTPFixture.lead && $0.action != "home_viewed" }, "the visit is audited under the lead's name")
    }

    @Test func signingOutWithTheButtonEndsTheSessionAndReturnsToTheForm() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            let cara = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            #expect(try await cara.get(client, "/").text.contains(#"<button type="submit">Sign out</button>"#))
            let out = try await cara.post(client, "/logout", [("then", "/login")])
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/login")
            #expect(try await cara.get(client, "/").status == .seeOther, "the session is over: back to the sign-in form")
        }
    }
}

@Suite struct ConsoleProblemPageTests {
    @Test func aBrowsersFormWithoutItsTokenOrSessionGetsTheSentenceOnAPage() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.pendant)
        try await fixture.test { client in
            let cara = try await ConsoleSession.signIn(client, as: HTTPFixture.carer)
            let browser: HTTPFields = [.cookie: cara.cookie, .contentType: "application/x-www-form-urlencoded", .accept: "text/html,*/*;q=0.8"]
            let forged = try await client.execute(uri: "/incidents/\(id)/ack", method: .post, headers: browser, body: ByteBuffer(string: "note=x"))
            #expect(forged.status == .forbidden)
            #expect(forged.headers[.contentType] == "text/html; charset=utf-8")
            #expect(forged.text.contains("This request needs the session&#39;s CSRF token"))
            var ended = browser
            ended[.cookie] = "carehub_session=ended"
            let expired = try await client.execute(uri: "/incidents/\(id)/ack", method: .post, headers: ended, body: ByteBuffer(string: "note=x"))
            #expect(expired.status == .unauthorized)
            #expect(expired.text.contains(#"<a href="/login">Sign in</a>"#))
            let program = try await client.execute(uri: "/incidents/\(id)/ack", method: .post, headers: [.cookie: cara.cookie])
            #expect(program.headers[.contentType] == "application/problem+json", "a program still gets the problem")
        }
    }
}
