import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// A burst looks each home and device up once and writes each home's and device's activity row once, at its end:
/// the database must end exactly as when each message has a transaction of its own.
@Suite struct IngestBurstTests {
    /// Messages that exercise every per-burst shortcut: devices registered by the burst, sequence gaps, battery and
    /// room filled in, a mapping's memory carried from one message to the next, link quality, a gateway status
    /// between readings, a duplicate, a device past its home's limit, a device registered to another home.
    static let messages: [(topic: String, payload: String)] = {
        var messages: [(String, String)] = []
        func contract(_ device: String, _ id: String, _ fields: String, home: String = "anna-1") {
            messages.append(("carehub/v1/\(home)/\(device)/event", #"{"id":"\#(id)","ts":"2026-11-29T09:59:59Z",\#(fields)}"#))
        }
        contract("pir-1", "a1", #""type":"heartbeat","seq":1"#)
        contract("pir-1", "a2", #""type":"motion","value":true,"room":"hall","seq":2,"battery":80"#)
        contract("pir-1", "a3", #""type":"motion","value":false,"room":"lounge","seq":5"#)
        messages.append(("z2m/anna-1/kitchen/fridge", #"{"contact":true,"linkquality":90}"#))
        messages.append(("z2m/anna-1/kitchen/fridge", #"{"contact":false,"battery":70}"#))
        messages.append(("z2m/anna-1/bridge/state", "offline"))
        contract("pir-1", "a4", #""type":"heartbeat","seq":4,"battery":79"#)
        messages.append(("z2m/anna-1/kitchen/fridge", #"{"contact":false,"linkquality":40}"#))
        messages.append(("z2m/anna-1/kitchen/fridge/availability", "offline"))
        contract("pir-1", "a2", #""type":"motion","value":true,"room":"hall","seq":2,"battery":80"#)
        contract("pendant-1", "p1", #""type":"pendant""#)
        contract("pir-2", "b1", #""type":"motion","value":true"#)
        contract("pir-3", "b2", #""type":"motion","value":true"#)
        contract("pir-bob", "s1", #""type":"motion","value":true"#)
        messages.append(("z2m/anna-1/pir-bob", #"{"occupancy":true}"#))
        contract("pir-1", "c1", #""type":"heartbeat","seq":9"#, home: "carl-3")
        messages.append(("z2m/carl-3/bridge/state", "online"))
        return messages
    }()

    final class Hub {
        let directory: TemporaryDirectory
        let database: HubDatabase
        let clock = ManualClock(RFC3339.parse("2026-11-29T10:00:00Z")!)
        let ingestor: Ingestor

        init() throws {
            directory = try TemporaryDirectory(prefix: "carehub-burst")
            database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
            let registry = DeviceRegistry(database: database)
            try registry.add([.init(home: "anna-1", device: "pir-bob"), .init(home: "bob-2", device: "pir-hall")],
                             timeZone: "Europe/London", by: "Sam", at: clock.now)
            try registry.assign(.init(home: "bob-2", device: "pir-bob"), by: "Sam", at: clock.now)
            var limits = GatewayLimits()
            limits.devicesPerHome = 4
            let mapping = try GatewayMapping.load(path: TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path)
            ingestor = Ingestor(store: IngestStore(database: database), registration: .automatic, defaultTimeZone: "Europe/London",
                                limits: limits, mappings: [mapping])
        }

        deinit { directory.remove() }

        func ingest(_ message: (topic: String, payload: String), in burst: IngestBurst?) throws -> IngestOutcome {
            clock.advance(by: 1)
            let payload = Array(message.payload.utf8)
            let incoming = ingestor.read(topic: message.topic, payload: payload, retained: false, receivedAt: clock.now)
            return try ingestor.ingest(incoming, topic: message.topic, payload: payload, delivery: IngestStore.Delivery(), receivedAt: clock.now,
                                       in: burst)
        }

        /// A row as text; JSON (the mapping's memory) with its keys sorted, since JSONEncoder's order is arbitrary.
        static func text(of row: Row) -> String {
            zip(row.columnNames, row.databaseValues).map { column, value in
                if column == "mapping_memory", let text = String.fromDatabaseValue(value),
                   let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
                   let sorted = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                    return "\(column):\(String(decoding: sorted, as: UTF8.self))"
                }
                return "\(column):\(value)"
            }.joined(separator: " ")
        }

        /// Every table's rows, as text, sorted.
        func contents() throws -> [String: [String]] {
            try database.writer.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                var contents: [String: [String]] = [:]
                for table in tables {
                    contents[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map(Self.text).sorted()
                }
                return contents
            }
        }
    }

    @Test func oneBurstEndsTheDatabaseAsOneTransactionPerMessageDoes() throws {
        let alone = try Hub()
        let aloneOutcomes = try Self.messages.map { try alone.ingest($0, in: nil) }
        let together = try Hub()
        let togetherOutcomes = try together.ingestor.write { burst in try Self.messages.map { try together.ingest($0, in: burst) } }
        #expect(togetherOutcomes == aloneOutcomes)
        #expect(aloneOutcomes.contains(.refused(code: "quota")) && aloneOutcomes.contains(.refused(code: "registered_elsewhere")),
                "the messages no longer reach the device limit and the spoof check")
        let expected = try alone.contents()
        let actual = try together.contents()
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for table in expected.keys.sorted() {
            #expect(actual[table] == expected[table], "table \(table)")
        }
        let devices = try together.contents()["devices"] ?? []
        #expect(devices.contains { $0.contains("id:\"pir-1\"") && $0.contains("seq_gaps:2") }, "\(devices)")
    }
}
