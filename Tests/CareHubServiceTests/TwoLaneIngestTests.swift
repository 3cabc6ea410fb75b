import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Logging
import Mosquitto
import Testing

/// While the hub's persistent session drains a backlog, its live lane also receives every alarm published now, so
/// each alarm message reaches the hub twice. Whichever connection handles it first, it must be stored once, receipted
/// once, and a genuine second press with the same bytes must still be a second press. Real SQLite, the shipped
/// Zigbee2MQTT mapping, the two ingest handlers the hub runs, a manual clock; each `receive` is one read burst.
@Suite struct TwoLaneIngestTests {
    static let zigbeePress = MosquittoMessage(topic: "z2m/anna-1/pendant_anna", payload: Array(#"{"action":"sos"}"#.utf8))
    static let contractPress = MosquittoMessage(
        topic: "carehub/v1/bert-2/pendant-1/event", payload: Array(#"{"id":"p-1","ts":"2026-11-29T10:00:00Z","type":"pendant"}"#.utf8))

    final class Hub: @unchecked Sendable {
        // @unchecked because `bothLanes` is only set by the test between bursts.
        let directory: TemporaryDirectory
        let database: HubDatabase
        let clock = ManualClock(RFC3339.parse("2026-11-29T10:00:00Z") ?? Date())
        var bothLanes = true
        private(set) var persistent: IngestHandler!
        private(set) var live: IngestHandler!

        init() throws {
            directory = try TemporaryDirectory(prefix: "carehub-two-lanes")
            database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
            let mapping = try GatewayMapping.load(path: TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path)
            let ingestor = Ingestor(store: IngestStore(database: database), registration: .automatic, defaultTimeZone: "Europe/London",
                                    clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 86_400 * 365), mappings: [mapping])
            func handler(_ lane: IngestLane) -> IngestHandler {
                IngestHandler(ingestor: ingestor,
                              clock: clock, logger: Logger(label: "test"), newEvents: Doorbell(), newOutbox: Doorbell(),
                              lane: lane, liveLaneWanted: { [unowned self] in bothLanes }, onStoreFailure: { Issue.record("store failed: \($0)") })
            }
            persistent = handler(.persistent)
            live = handler(.live)
        }

        func count(_ sql: String) throws -> Int { try database.writer.read { try Int.fetchOne($0, sql: sql) ?? -1 } }
        var presses: Int { get throws { try count("SELECT COUNT(*) FROM events WHERE type = 'pendant'") } }
        var receipts: Int { get throws { try count("SELECT COUNT(*) FROM outbox WHERE notification = 'receipt'") } }
        var notes: Int { get throws { try count("SELECT COUNT(*) FROM live_deliveries") } }
    }

    @Test(arguments: [true, false]) func anAlarmHandledByBothLanesIsStoredAndReceiptedOnceWhicheverComesFirst(liveFirst: Bool) throws {
        let hub = try Hub()
        defer { hub.directory.remove() }
        for press in [Self.zigbeePress, Self.contractPress] {
            let (first, second) = liveFirst ? (hub.live, hub.persistent) : (hub.persistent, hub.live)
            first?.handle([press])
            hub.clock.advance(by: 0.2)
            second?.handle([press])
        }
        #expect(try hub.presses == 2, "one press in each home")
        #expect(try hub.receipts == 2, "each press receipted once")
        #expect(try hub.notes == 0, "every note met its copy")
    }

    @Test func twoIdenticalPressesAreTwoPressesWhateverTheOrderOfTheCopies() throws {
        let hub = try Hub()
        defer { hub.directory.remove() }
        hub.live.handle([Self.zigbeePress])
        hub.clock.advance(by: 60)
        hub.live.handle([Self.zigbeePress])
        // The persistent session brings both copies later, in one burst.
        hub.persistent.handle([Self.zigbeePress, Self.zigbeePress])
        #expect(try hub.presses == 2)
        // A third identical press after the backlog: only the persistent session handles it.
        hub.bothLanes = false
        hub.clock.advance(by: 60)
        hub.live.handle([Self.zigbeePress])
        hub.persistent.handle([Self.zigbeePress])
        #expect(try hub.presses == 3, "a genuine press was taken for a copy")
    }

    @Test func notesOfTheLastBacklogCanNeverSwallowALaterPress() throws {
        let hub = try Hub()
        defer { hub.directory.remove() }
        // The persistent session handles a press the live lane never sees (it connected a moment later) ...
        hub.persistent.handle([Self.zigbeePress])
        // ... then its backlog sentinel comes back: the live lane stops, and the note is forgotten.
        hub.persistent.handle([MosquittoMessage(topic: Topic.sentinel, payload: Array("x".utf8))])
        #expect(try hub.notes == 0)
        // A live lane press a minute later whose persistent copy the broker dropped: the marker clears its note.
        hub.clock.advance(by: 60)
        hub.live.handle([Self.zigbeePress])
        let seq = try hub.count("SELECT MAX(seq) FROM live_deliveries")
        hub.persistent.handle([MosquittoMessage(topic: Topic.liveMarker, payload: Array(String(seq).utf8))])
        #expect(try hub.notes == 0)
        hub.bothLanes = false
        hub.clock.advance(by: 60)
        hub.persistent.handle([Self.zigbeePress])
        #expect(try hub.presses == 3)
    }
}
