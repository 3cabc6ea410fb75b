import CareHubCore
import CareHubHTTP
import CareHubStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct IncidentRoutesTests {
    @Test func theQueueListsOpenAndAcknowledgedIncidentsMostUrgentAndOldestFirst() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let start = Date().addingTimeInterval(-600)
        let cold = try fixture.raise(.coldHome, at: start)
        let pendant = try fixture.raise(.pendant, at: start.addingTimeInterval(60))
        let fall = try fixture.raise(.fall, home: "flat-14", at: start.addingTimeInterval(30))
        let battery = try fixture.raise(.lowBattery, at: start.addingTimeInterval(10))
        _ = try IncidentStore(database: fixture.database).resolve(battery, by: "Sam", outcome: .deviceFault, note: nil, at: Date())
        try await fixture.test { client in
            let queue = try await client.execute(uri: "/api/v1/incidents", method: .get, headers: fixture.bearer(.carer))
            #expect(queue.status == .ok)
            #expect(queue.headers[.contentType] == "application/json")
            #expect(try queue.array().map { $0.int("id") } == [fall, pendant, cold])
            let all = try await client.execute(uri: "/api/v1/incidents?state=all", method: .get, headers: fixture.bearer(.carer))
            #expect(try all.array().count == 4)
            let filtered = try await client.execute(uri: "/api/v1/incidents?home=flat-12&priority=emergency&kind=pendant&limit=5", method: .get,
                                                    headers: fixture.bearer(.carer))
            #expect(try filtered.array().map { $0.int("id") } == [pendant])
            let limited = try await client.execute(uri: "/api/v1/incidents?limit=1", method: .get, headers: fixture.bearer(.carer))
            #expect(try limited.array().count == 1)
            let resolved = try await client.execute(uri: "/api/v1/incidents?state=resolved", method: .get, headers: fixture.bearer(.carer))
            #expect(try resolved.array().map { $0["resolved_by"] as? String } == ["Sam"])
        }
    }

    @Test func recordsCarryTheCommandLinesFields() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.raise(.pendant)
        try await fixture.test { client in
            let records = try await client.execute(uri: "/api/v1/incidents", method: .get, headers: fixture.bearer(.carer)).array()
            let keys = Set(records.first?.keys.map { $0 } ?? [])
            for field in ["id", "home", "kind", "priority", "state", "opened_at", "acknowledged_at", "acknowledged_by", "resolved_at",
                          "resolved_by", "outcome", "summary", "device"] {
                #expect(keys.contains(field), "missing \(field)")
            }
        }
    }

    @Test func badFiltersAre400AndAnUnknownHomeIs404() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try fixture.raise(.pendant)
        try await fixture.test { client in
            for query in ["state=closed", "priority=high", "kind=sneeze", "limit=0", "limit=1001", "limit=ten"] {
                let response = try await client.execute(uri: "/api/v1/incidents?\(query)", method: .get, headers: fixture.bearer(.carer))
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(try (response.object()["detail"] as? String)?.isEmpty == false)
            }
            let unknown = try await client.execute(uri: "/api/v1/incidents?home=nowhere", method: .get, headers: fixture.bearer(.carer))
            #expect(unknown.status == .notFound)
        }
    }

    @Test func oneIncidentComesWithItsTimeline() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.pendant)
        try await fixture.test { client in
            let response = try await client.execute(uri: "/api/v1/incidents/\(id)", method: .get, headers: fixture.bearer(.carer))
            #expect(response.status == .ok)
            let record = try response.object()
            #expect(record.int("id") == id)
            #expect((record["timeline"] as? [[String: Any]])?.map { $0["action"] as? String } == ["opened"])
            #expect(record["events_before"] is [Any])
            #expect(record["notifications"] is [Any])
            let unknown = try await client.execute(uri: "/api/v1/incidents/999", method: .get, headers: fixture.bearer(.carer))
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/problem+json")
            let bad = try await client.execute(uri: "/api/v1/incidents/forty-two", method: .get, headers: fixture.bearer(.carer))
            #expect(bad.status == .badRequest)
        }
    }

    @Test func acknowledgingIsAuditedUnderTheAccountAndSomeoneElseFirstIs409() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.pendant)
        try await fixture.test { client in
            let ack = try await client.execute(uri: "/api/v1/incidents/\(id)/ack", method: .post, headers: fixture.bearer(.carer),
                                               body: jsonBody(#"{"note": "Calling now"}"#))
            #expect(ack.status == .ok)
            let record = try ack.object()
            #expect(record["state"] as? String == "acknowledged")
            #expect(record["acknowledged_by"] as? String == HTTPFixture.carer)
            let again = try await client.execute(uri: "/api/v1/incidents/\(id)/ack", method: .post, headers: fixture.bearer(.carer))
            #expect(again.status == .ok, "acknowledging again what you acknowledged is no clash")
            let other = try await client.execute(uri: "/api/v1/incidents/\(id)/ack", method: .post, headers: fixture.bearer(.lead))
            #expect(other.status == .conflict)
            #expect(try (other.object()["detail"] as? String)?.contains(HTTPFixture.carer) == true)
            let unknown = try await client.execute(uri: "/api/v1/incidents/999/ack", method: .post, headers: fixture.bearer(.carer))
            #expect(unknown.status == .notFound)
            let bad = try await client.execute(uri: "/api/v1/incidents/\(id)/ack", method: .post, headers: fixture.bearer(.carer), body: jsonBody("[1, 2"))
            #expect(bad.status == .badRequest)
        }
        let timeline = try IncidentQueries(database: fixture.database).timeline(id)
        #expect(timeline.last?.action == "acknowledged")
        #expect(timeline.last?.actor == HTTPFixture.carer)
        #expect(timeline.last?.note == "Calling now")
    }

    @Test func notesAndResolutionsAreRecordedAndResolvingTwiceIs409() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.fall)
        try await fixture.test { client in
            let note = try await client.execute(uri: "/api/v1/incidents/\(id)/note", method: .post, headers: fixture.bearer(.carer),
                                                body: jsonBody(#"{"text": "Daughter on her way"}"#))
            #expect(note.status == .ok)
            #expect(try note.object().int("id") == id)
            for body in [#"{}"#, #"{"text": ""}"#, #"{"text": 7}"#, "not json", ""] {
                let bad = try await client.execute(uri: "/api/v1/incidents/\(id)/note", method: .post, headers: fixture.bearer(.carer), body: jsonBody(body))
                #expect(bad.status == .badRequest, "\(body)")
            }
            let badOutcome = try await client.execute(uri: "/api/v1/incidents/\(id)/resolve", method: .post, headers: fixture.bearer(.carer),
                                                      body: jsonBody(#"{"outcome": "cleared"}"#))
            #expect(badOutcome.status == .badRequest, "cleared is the hub's own outcome")
            let resolve = try await client.execute(uri: "/api/v1/incidents/\(id)/resolve", method: .post, headers: fixture.bearer(.carer),
                                                   body: jsonBody(#"{"outcome": "visited", "note": "Helped up"}"#))
            #expect(resolve.status == .ok)
            #expect(try resolve.object()["resolved_by"] as? String == HTTPFixture.carer)
            #expect(try resolve.object()["outcome"] as? String == "visited")
            let twice = try await client.execute(uri: "/api/v1/incidents/\(id)/resolve", method: .post, headers: fixture.bearer(.lead),
                                                 body: jsonBody(#"{"outcome": "other"}"#))
            #expect(twice.status == .conflict)
            let unknown = try await client.execute(uri: "/api/v1/incidents/999/resolve", method: .post, headers: fixture.bearer(.carer),
                                                   body: jsonBody(#"{"outcome": "other"}"#))
            #expect(unknown.status == .notFound)
            let unknownNote = try await client.execute(uri: "/api/v1/incidents/999/note", method: .post, headers: fixture.bearer(.carer),
                                                       body: jsonBody(#"{"text": "x"}"#))
            #expect(unknownNote.status == .notFound)
        }
        let timeline = try IncidentQueries(database: fixture.database).timeline(id)
        #expect(timeline.map(\.action) == ["opened", "note", "resolved"])
        #expect(timeline.dropFirst().allSatisfy { $0.actor == HTTPFixture.carer })
    }

    @Test func assigningNeedsALead() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let id = try fixture.raise(.pendant)
        try await fixture.test { client in
            let carer = try await client.execute(uri: "/api/v1/incidents/\(id)/assign", method: .post, headers: fixture.bearer(.carer),
                                                 body: jsonBody(#"{"to": "Jo Evans"}"#))
            #expect(carer.status == .forbidden)
            #expect(carer.headers[.contentType] == "application/problem+json")
            let lead = try await client.execute(uri: "/api/v1/incidents/\(id)/assign", method: .post, headers: fixture.bearer(.lead),
                                                body: jsonBody(#"{"to": "Jo Evans"}"#))
            #expect(lead.status == .ok)
            #expect(try lead.object()["assigned_to"] as? String == "Jo Evans")
            let bad = try await client.execute(uri: "/api/v1/incidents/\(id)/assign", method: .post, headers: fixture.bearer(.admin),
                                               body: jsonBody(#"{"who": "Jo"}"#))
            #expect(bad.status == .badRequest)
        }
    }
}
