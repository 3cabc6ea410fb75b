import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

@Suite struct IngestStoreTests {
    @Test func anEventIsStoredOnceAndADuplicateIsACountedNoOp() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let json = #"{"id":"m1","ts":"2026-11-29T10:14:00Z","type":"motion","value":true,"room":"hall","battery":80,"seq":7}"#
        guard case .stored(let seq, let receipt) = try fixture.receive(json) else {
            Issue.record("not stored")
            return
        }
        #expect(seq == 1)
        #expect(!receipt)
        #expect(try fixture.receive(json) == .duplicate(receiptQueued: false))
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 1)
        #expect(try fixture.count("SELECT value FROM counters WHERE name = 'duplicates'") == 1)
        let stored = try EventQueries(database: fixture.database).list(home: "flat-12", since: nil, limit: 10)
        #expect(stored.map(\.event.id) == ["m1"])
        #expect(stored.first?.event.value == .boolean(true))
        #expect(stored.first?.event.room == "hall")
        #expect(stored.first?.receivedAt == fixture.now)
    }

    @Test func theSameIdInAnotherHomeIsADifferentEvent() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let json = #"{"id":"m1","ts":"2026-11-29T10:14:00Z","type":"heartbeat"}"#
        try fixture.receive(json, topic: "carehub/v1/home-a/dev-1/event")
        try fixture.receive(json, topic: "carehub/v1/home-b/dev-1/event")
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 2)
    }

    @Test func anAlarmQueuesAReceiptForEveryCopyWithTheOriginalStoredTime() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        try fixture.receive(pendant("p1"), at: fixture.now)
        #expect(try fixture.receive(pendant("p1"), at: fixture.now.addingTimeInterval(5)) == .duplicate(receiptQueued: true))
        let expected = EventReceipt(home: "flat-12", eventID: "p1", storedAt: fixture.now)
        #expect(try fixture.queuedReceipts() == [expected, expected])
    }

    @Test func aRefusedPayloadIsKeptWithTopicBytesAndReason() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let json = #"{"id":"m1","ts":"2026-11-29T10:14:00Z","type":"motion","value":"yes"}"#
        #expect(try fixture.receive(json) == .refused(code: "wrong_type"))
        let row = try fixture.database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT topic, payload, payload_length, reason_code, reason, home_id, device_id, event_id FROM refused_events")
        }
        #expect(row?["topic"] == "carehub/v1/flat-12/dev-1/event")
        #expect(row?["payload"] == Data(json.utf8))
        #expect(row?["payload_length"] == json.utf8.count)
        #expect(row?["reason_code"] == "wrong_type")
        #expect((row?["reason"] as String?)?.contains("value") == true)
        #expect(row?["event_id"] == "m1")
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 0)
    }

    @Test func strictRegistrationKeepsUnknownDevicesAsideButNeverLosesAnAlarm() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let motion = #"{"id":"m1","ts":"2026-11-29T10:14:00Z","type":"motion","value":true}"#
        #expect(try fixture.receive(motion, registration: .strict) == .refused(code: "unregistered"))
        guard case .stored = try fixture.receive(pendant("p1"), registration: .strict) else {
            Issue.record("an alarm from an unregistered device was not stored")
            return
        }
        let alarm = try EventQueries(database: fixture.database).find(home: "flat-12", id: "p1")
        #expect(alarm?.event.flags == [.unregistered])
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE reason_code = 'unregistered'") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM homes") == 0)
    }

    @Test func automaticRegistrationRecordsHomesDevicesAndLiveness() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        try fixture.receive(#"{"id":"t1","ts":"2026-11-29T10:14:00Z","type":"temperature","value":19.5,"room":"lounge","battery":55}"#)
        let row = try fixture.database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT d.type, d.room, d.battery, d.last_seen_at, h.timezone FROM devices d JOIN homes h ON h.id = d.home_id")
        }
        #expect(row?["type"] == "temperature")
        #expect(row?["room"] == "lounge")
        #expect(row?["battery"] == 55.0)
        #expect(row?["last_seen_at"] == fixture.now.millisecondsSince1970)
        #expect(row?["timezone"] == "Europe/London")
    }

    @Test func sequenceGapsAreCountedAsPossibleUpstreamLoss() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        for (index, seq) in [1, 2, 5, 6, 10].enumerated() {
            try fixture.receive(#"{"id":"h\#(index)","ts":"2026-11-29T10:14:00Z","type":"heartbeat","seq":\#(seq)}"#)
        }
        #expect(try fixture.count("SELECT seq_gaps FROM devices") == 5)
        #expect(try fixture.count("SELECT last_seq FROM devices") == 10)
    }

    @Test func gatewayStatusIsRecorded() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        #expect(try fixture.receive("offline", topic: "carehub/v1/flat-12/gateway/status") == .gatewayStatus(.offline))
        #expect(try fixture.database.writer.read { try String.fetchOne($0, sql: "SELECT gateway_state FROM homes") } == "offline")
        #expect(try fixture.count("SELECT COUNT(*) FROM gateway_status_log") == 1)
    }

    @Test(arguments: [(SynchronousMode.full, 2), (.normal, 1)])
    func theDatabaseIsWALWithTheConfiguredSynchronousMode(mode: SynchronousMode, pragma: Int) throws {
        let fixture = try StoreFixture(synchronous: mode)
        defer { fixture.directory.remove() }
        let (journal, synchronous) = try fixture.database.writer.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        #expect(synchronous == pragma)
    }
}
