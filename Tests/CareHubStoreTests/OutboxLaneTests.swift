import CareHubCore
@testable import CareHubStore
import Foundation
import GRDB
import Testing

/// Each notifier lane sees only its own rows, and a row being retried never goes before a fresh one.
@Suite struct OutboxLaneTests {
    /// Queues an emergency alert for `home` on MQTT, as the rules do.
    func queueAlert(_ fixture: StoreFixture, home: String) throws {
        let alert = IncidentAlert(incident: 1, home: home, kind: "pendant", priority: .emergency, state: .open, at: fixture.now, summary: "Pendant pressed")
        try fixture.database.writer.write { db in
            try OutboxStore.enqueue(.alert(alert), queuedAt: fixture.now.millisecondsSince1970, in: db)
        }
    }

    @Test func eachLaneSeesOnlyItsOwnRows() throws {
        let fixture = try StoreFixture()
        let outbox = OutboxStore(database: fixture.database)
        try queueAlert(fixture, home: "flat-1")
        #expect(try outbox.fanOutAlerts(routes: { _ in ["oncall", "pager"] }, at: fixture.now) == 2)

        #expect(try outbox.next(in: .mqtt, at: fixture.now)?.target == .mqtt(.alert, home: "flat-1"))
        #expect(try outbox.next(in: .webhook(target: "oncall"), at: fixture.now)?.target == .webhook(name: "oncall"))
        #expect(try outbox.next(in: .webhook(target: "pager"), at: fixture.now)?.target == .webhook(name: "pager"))
        #expect(try outbox.next(in: .unconfiguredWebhooks(configured: ["oncall"]), at: fixture.now)?.webhook == "pager",
                "a row for a webhook no longer configured still has a lane")
        #expect(try outbox.next(in: .unconfiguredWebhooks(configured: ["oncall", "pager"]), at: fixture.now) == nil)
        #expect(try outbox.next(in: .unconfiguredWebhooks(configured: []), at: fixture.now)?.channel == "webhook")
    }

    @Test func aFreshRowGoesBeforeARetryAndARetryGoesOnceNothingFreshIsDue() throws {
        let fixture = try StoreFixture()
        let outbox = OutboxStore(database: fixture.database)
        let lane = OutboxLane.webhook(target: "oncall")
        try queueAlert(fixture, home: "flat-1")
        _ = try outbox.fanOutAlerts(routes: { _ in ["oncall"] }, at: fixture.now)
        let first = try #require(try outbox.next(in: lane, at: fixture.now))
        try outbox.markFailed(first.seq, target: "oncall", error: "timed out", retryAt: fixture.now.addingTimeInterval(2), at: fixture.now)
        #expect(try outbox.next(in: lane, at: fixture.now) == nil, "a failed row waits for its retry time")
        #expect(try outbox.nextDue(in: lane) == fixture.now.addingTimeInterval(2))

        try queueAlert(fixture, home: "flat-2")
        _ = try outbox.fanOutAlerts(routes: { _ in ["oncall"] }, at: fixture.now)
        let later = fixture.now.addingTimeInterval(3)
        let fresh = try #require(try outbox.next(in: lane, at: later))
        #expect(fresh.notification.home == "flat-2", "the fresh alert goes before the older retry")
        #expect(fresh.attempts == 0)
        try outbox.markDelivered(fresh.seq, at: later)
        let retry = try #require(try outbox.next(in: lane, at: later))
        #expect(retry.seq == first.seq)
        #expect(retry.attempts == 1)
    }
}

extension OutboxLaneTests {
    @Test func webhookRowsQueuedWithAURLByAnEarlierVersionAreRenamedToTheWebhooksName() throws {
        let fixture = try StoreFixture()
        let outbox = OutboxStore(database: fixture.database)
        let url = "https://oncall.example.org/hooks/T0KEN"
        try queueAlert(fixture, home: "flat-1")
        try queueAlert(fixture, home: "flat-2")
        _ = try outbox.fanOutAlerts(routes: { _ in [url] }, at: fixture.now)
        let pending = try #require(try outbox.next(in: .webhook(target: url), at: fixture.now))
        try outbox.markFailed(pending.seq, target: url, error: "POST \(url) failed: timed out", retryAt: fixture.now, at: fixture.now)
        let other = try #require(try outbox.next(in: .webhook(target: url), at: fixture.now.addingTimeInterval(1)))
        try outbox.markDelivered(other.seq, at: fixture.now)

        #expect(try outbox.renamePendingWebhookTargets { $0 == url ? "oncall" : "?" } == 1)
        let renamed = try #require(try outbox.next(in: .webhook(target: "oncall"), at: fixture.now))
        #expect(renamed.seq == pending.seq)
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE last_error = 'POST oncall failed: timed out'") == 1)
        #expect(try outbox.renamePendingWebhookTargets { _ in "?" } == 0, "done once")
    }
}

extension OutboxLaneTests {
    @Test func failingTargetsNameTheMQTTKindAndHomeOrTheWebhookMQTTFirst() throws {
        let fixture = try StoreFixture()
        let outbox = OutboxStore(database: fixture.database)
        try queueAlert(fixture, home: "flat-2")
        try queueAlert(fixture, home: "flat-1")
        _ = try outbox.fanOutAlerts(routes: { _ in ["oncall"] }, at: fixture.now)
        for lane in [OutboxLane.webhook(target: "oncall"), .mqtt] {
            let message = try #require(try outbox.next(in: lane, at: fixture.now))
            try outbox.markFailed(message.seq, target: "?", error: "down", retryAt: fixture.now.addingTimeInterval(60), at: fixture.now)
        }
        let message = try #require(try outbox.next(in: .mqtt, at: fixture.now))
        try outbox.markFailed(message.seq, target: "?", error: "down", retryAt: fixture.now.addingTimeInterval(60), at: fixture.now)
        #expect(try outbox.failingTargets() == [.mqtt(.alert, home: "flat-1"), .mqtt(.alert, home: "flat-2"), .webhook(name: "oncall")])
    }
}
