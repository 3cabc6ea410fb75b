import CareHubCore
import CareHubHTTP
import CareHubStore
import CareHubTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct IncidentStreamTests {
    /// The `incident` events of a stream's text: (id, incident id, state).
    static func events(_ text: String) -> [(id: Int64, incident: Int64, state: String)] {
        // Over a live connection the stream arrives in HTTP chunks, whose "\r\n" Swift reads as one character.
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n").map(String.init)
            guard lines.contains("event: incident"),
                  let id = lines.first(where: { $0.hasPrefix("id: ") }).flatMap({ Int64($0.dropFirst(4)) }),
                  let data = lines.first(where: { $0.hasPrefix("data: ") }).map({ Data($0.dropFirst(6).utf8) }),
                  let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let incident = record.int("id"), let state = record["state"] as? String
            else { return nil }
            return (id, incident, state)
        }
    }

    @Test func everyChangeAfterLastEventIDArrivesAsAnIncidentEvent() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        let first = try fixture.raise(.coldHome)
        let resumeFrom = try IncidentQueries(database: fixture.database).latestChange()
        let pendant = try fixture.raise(.pendant)
        _ = try IncidentStore(database: fixture.database).acknowledge(first, by: "Sam", note: nil, at: Date())
        try await fixture.test { client in
            let response = try await client.execute(uri: "/api/v1/stream", method: .get,
                                                    headers: fixture.bearer(.carer) + [HTTPField(name: HTTPField.Name("Last-Event-ID")!, value: String(resumeFrom))])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = Self.events(response.text)
            #expect(events.map(\.incident) == [pendant, first])
            #expect(events.map(\.state) == ["open", "acknowledged"])
            #expect(events.map(\.id) == events.map(\.id).sorted())
            #expect(events.allSatisfy { $0.id > resumeFrom })
        }
    }

    @Test func anIncidentRaisedWhileTheStreamIsOpenArrivesAndEarlierOnesAreNotReplayed() async throws {
        var policy = HTTPFixture.testPolicy
        policy.streamLifetime = 60
        let fixture = try HTTPFixture(policy: policy)
        defer { fixture.remove() }
        let old = try fixture.raise(.coldHome)
        let token = fixture.tokens[.carer] ?? ""
        let app = Application(router: fixture.router)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let reader = try PlainHTTPConnection(port: port, path: "/api/v1/stream", headers: ["Authorization": "Bearer \(token)"])
            // The stream's preamble names where it starts: from then on every change is sent.
            #expect(reader.read(until: "incidents after", timeout: .seconds(30)))
            let new = try fixture.raise(.pendant, home: "flat-14")
            #expect(reader.read(until: "\"id\":\(new),", timeout: .seconds(30)), "the new incident arrives on the open stream")
            let events = Self.events(reader.received)
            #expect(events.map(\.incident) == [new])
            #expect(!events.contains { $0.incident == old })
        }
    }

    @Test func anIdleStreamSendsCommentLines() async throws {
        var policy = HTTPFixture.testPolicy
        policy.streamKeepAliveInterval = 0
        policy.streamLifetime = 0
        let fixture = try HTTPFixture(policy: policy)
        defer { fixture.remove() }
        try await fixture.test { client in
            let response = try await client.execute(uri: "/api/v1/stream", method: .get, headers: fixture.bearer(.carer))
            #expect(response.text.contains("\n: keep-alive\n\n"), "one poll at least, and nothing to send: a comment line")
            #expect(HTTPPolicy().streamKeepAliveInterval <= 15, "the contract asks for a comment line at least every 15 s")
        }
    }

    @Test func aBadLastEventIDIs400() async throws {
        let fixture = try HTTPFixture()
        defer { fixture.remove() }
        try await fixture.test { client in
            let response = try await client.execute(uri: "/api/v1/stream", method: .get,
                                                    headers: fixture.bearer(.carer) + [HTTPField(name: HTTPField.Name("Last-Event-ID")!, value: "yesterday")])
            #expect(response.status == .badRequest)
        }
    }
}
