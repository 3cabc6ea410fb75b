import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import Logging
import Mosquitto
import ServiceLifecycle
import Testing

/// A `Hub` run inside the test process as `carehub serve` runs it (in a `ServiceGroup`, here without signals), on a
/// manual clock, against a real mosquitto on a free loopback port and a real SQLite file; with a watcher that publishes
/// as a gateway would and records what the hub publishes.
///
/// ```swift
/// try await InProcessHub.with { fixture in
///     try await fixture.run {
///         try await fixture.publishEvent(home: "anna", device: "pir-hall", id: "e-1", type: "motion", value: "true")
///     }
/// }
/// ```
///
/// `run` starts the hub, waits until it is subscribed, runs the body, then shuts the hub down gracefully and fails
/// unless it ends cleanly (without error, within 30 s, having announced itself offline).
struct InProcessHub {
    /// Noon (12:00 in London too): far from the daily checks at 10:00 and from the night window.
    static let noon = time("12:00:00")

    let broker: MosquittoBroker
    let directory: TemporaryDirectory
    let watcher: TestMQTTClient
    let clock = ManualClock(noon)
    var configuration = HubConfiguration()

    /// A time on the test's day, 2026-11-29, in UTC.
    static func time(_ hoursMinutesSeconds: String) -> Date {
        RFC3339.parse("2026-11-29T\(hoursMinutesSeconds)Z") ?? Date(timeIntervalSince1970: 0)
    }

    /// Runs `body` with a fresh broker, database directory and watcher, and always tears them down.
    static func with<T>(_ body: (InProcessHub) async throws -> T) async throws -> T {
        try await withTearDown(try await InProcessHub(), tearDown: { await $0.tearDown() }, body)
    }

    private init() async throws {
        broker = try await MosquittoBroker.start()
        directory = try TemporaryDirectory(prefix: "carehub-hub-service")
        watcher = try TestMQTTClient(port: broker.port, subscriptions: [Topic.hubStatus, "carehub/v1/+/receipt", "carehub/v1/+/alert"])
        try await watcher.waitUntilReady()
        configuration.broker.port = broker.port
        configuration.database.path = directory.path("carehub.sqlite")
    }

    private func tearDown() async {
        watcher.stop()
        await broker.stop()
        directory.remove()
    }

    /// Runs the hub around `body` (see the type's summary). `interceptBursts`, `operations` (where the hub keeps its
    /// metrics and readiness) and `logger` (by default warnings and worse, to standard output) are passed to the hub.
    func run<T>(interceptBursts: Hub.BurstInterceptor? = nil, operations: HubOperations = HubOperations(), logger: Logger? = nil,
                _ body: () async throws -> T) async throws -> T {
        let logger = logger ?? {
            var logger = Logger(label: "carehub-in-process")
            logger.logLevel = .warning
            return logger
        }()
        let hub = Hub(configuration: configuration, clock: clock, logger: logger, operations: operations, interceptBursts: interceptBursts)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: hub, successTerminationBehavior: .gracefullyShutdownGroup)], logger: logger))
        let onlineBefore = hubStatusCount("online")
        let offlineBefore = hubStatusCount("offline")
        // Unstructured so that a hub which ignores both the graceful shutdown and cancellation fails the test after 30 s
        // instead of hanging it: a task group would wait for it for ever.
        let ended = Flag()
        let running = Task {
            defer { ended.set() }
            try await group.run()
        }
        let outcome: Result<T, any Error>
        do {
            // The hub's birth message: connected, and every subscription acknowledged.
            try await waitForHubStatus("online", count: onlineBefore + 1, unless: ended)
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        await group.triggerGracefulShutdown()
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while !ended.isSet, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard ended.isSet else {
            running.cancel()
            throw TestSupportError("The hub did not end within 30 s of a graceful shutdown.")
        }
        try await running.value
        if case .success = outcome, hubStatusCount("online") == onlineBefore {
            throw TestSupportError("The hub ended before it was ready, without an error.")
        }
        let result = try outcome.get()
        try await waitForHubStatus("offline", count: offlineBefore + 1)
        return result
    }

    /// Publishes one contract event (QoS 1, acknowledged by the broker) on `carehub/v1/<home>/<device>/event`; its `ts`
    /// is `at`, by default the hub's clock now. `value` is JSON text (`true`, `"open"`).
    func publishEvent(home: String, device: String, id: String, type: String, value: String? = nil, room: String? = nil,
                      at time: Date? = nil) async throws {
        var fields = [#""id":"\#(id)""#, #""ts":"\#(RFC3339.format(time ?? clock.now))""#, #""type":"\#(type)""#]
        if let value { fields.append(#""value":\#(value)"#) }
        if let room { fields.append(#""room":"\#(room)""#) }
        try await watcher.publish("carehub/v1/\(home)/\(device)/event", "{\(fields.joined(separator: ","))}")
    }

    /// A positive barrier for "no timer fired": presses a pendant now in a home of its own and waits until its incident
    /// is stored. The rules evaluate the press and fire every timer due at the clock's time in one step, written in one
    /// transaction, so once the press's incident is there, any timer already scheduled and due by now has fired too.
    func rulesBarrier(home: String) async throws {
        try await publishEvent(home: home, device: "pendant", id: "press", type: "pendant")
        try await waitUntil("SELECT COUNT(*) FROM incidents WHERE home_id = '\(home)' AND kind = 'pendant'", reaches: 1)
    }

    /// The same barrier without MQTT, for while the hub's MQTT thread is held: a staff member marks `home` back now (a
    /// mode change, which the rules read in every step), and the rules' checkpoint passes the change. The rules write a
    /// step that changes no incident at most once a second of the hub's clock: move the clock a second or more first.
    func modeChangeBarrier(home: String) async throws {
        let database = try HubDatabase.openExisting(path: configuration.database.path, readOnly: false)
        try HomeModeStore(database: database).set(home: home, holidayUntil: nil, visitUntil: nil, by: "test", at: clock.now)
        let stamp = try self.database.count("SELECT updated_at FROM home_modes WHERE home_id = '\(home)'")
        try await waitUntil("SELECT last_mode_change >= \(stamp) FROM rules_checkpoint", reaches: 1)
    }

    /// Read-only looks at the hub's database.
    var database: DatabaseProbe { DatabaseProbe(path: configuration.database.path) }

    /// Waits until `sql` counts at least `target`, and fails the test (throws) when it does not within `timeout`.
    func waitUntil(_ sql: String, reaches target: Int, timeout: Duration = .seconds(30)) async throws {
        let reached = try await database.waitUntil(sql, reaches: target, timeout: timeout)
        guard reached >= target else { throw TestSupportError("\(sql) counted \(reached), not \(target), within \(timeout).") }
    }

    /// Incidents of `kind` in `home`.
    func incidents(home: String, kind: String) throws -> Int {
        try database.count("SELECT COUNT(*) FROM incidents WHERE home_id = '\(home)' AND kind = '\(kind)'")
    }

    private func hubStatusCount(_ payload: String) -> Int {
        watcher.messages(where: { $0 == Topic.hubStatus }).filter { String(decoding: $0.message.payload, as: UTF8.self) == payload }.count
    }

    /// Waits for the `count`th `payload` on the hub's status topic, or until `ended` is set (the hub ended early: its
    /// error is what the test reports).
    private func waitForHubStatus(_ payload: String, count: Int, unless ended: Flag = Flag(), timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while hubStatusCount(payload) < count, !ended.isSet {
            guard ContinuousClock.now < deadline else {
                throw TestSupportError("The hub did not announce itself \(payload) on \(Topic.hubStatus) within \(timeout).")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
