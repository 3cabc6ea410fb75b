import CareHubTesting
import Foundation
import Testing

/// A real mosquitto, a temporary database, the built hub, and a watcher subscribed to everything the hub
/// publishes.
final class HubFixture: @unchecked Sendable {
    // @unchecked because `hub` is replaced only by the owning test, one call at a time.
    let broker: MosquittoBroker
    let directory: TemporaryDirectory
    let watcher: TestMQTTClient
    var hub: HubProcess?
    private var hubStarts = 0

    var databasePath: String { directory.path("carehub.sqlite") }

    /// Runs `body` with a fresh fixture and always tears it down, even when `body` throws.
    static func with<T>(_ body: (HubFixture) async throws -> T) async throws -> T {
        try await withTearDown(try await HubFixture(), tearDown: { await $0.tearDown() }, body)
    }

    init() async throws {
        broker = try await MosquittoBroker.start()
        directory = try TemporaryDirectory(prefix: "carehub-e2e")
        watcher = try TestMQTTClient(port: broker.port, subscriptions: ["carehub/v1/+/receipt", "carehub/v1/+/alert", "carehub/v1/+/+/event"])
        try await watcher.waitUntilReady()
    }

    /// Starts (or restarts) the hub and waits until it is subscribed.
    @discardableResult
    func startHub(environment: [String: String] = [:], configuration: String? = nil, waitUntilReady: Bool = true) async throws -> HubProcess {
        hubStarts += 1
        var arguments: [String] = []
        if let configuration {
            let path = directory.path("carehub.yaml")
            try configuration.write(toFile: path, atomically: true, encoding: .utf8)
            arguments = ["--config", path]
        }
        let process = try HubProcess(databasePath: databasePath, brokerPort: broker.port,
                                     logURL: directory.url.appendingPathComponent("hub-\(hubStarts).log"), environment: environment,
                                     extraArguments: arguments)
        hub = process
        if waitUntilReady { try await process.waitUntilReady() }
        return process
    }

    /// Runs `carehub ARGUMENTS… --db <this database>`.
    func carehub(_ arguments: [String]) async throws -> CommandResult {
        try await CarehubCommand.run(arguments + ["--db", databasePath])
    }

    /// Parses `carehub … --format json` output.
    func carehubJSON(_ arguments: [String]) async throws -> Any {
        let result = try await carehub(arguments + ["--format", "json"])
        guard result.status == 0 else {
            throw TestSupportError("carehub \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.standardError)")
        }
        return try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
    }

    /// Read-only looks at the hub's database.
    var database: DatabaseProbe { DatabaseProbe(path: databasePath) }

    /// The first column of every row, as text.
    func strings(_ sql: String) throws -> [String] { try database.strings(sql) }

    /// A read-only look at the hub's database.
    func count(_ sql: String) throws -> Int { try database.count(sql) }

    /// Waits until `sql` counts at least `target` and returns the count, so a test asserts on what the hub stored rather
    /// than racing it. Throws if `timeout` passes first: a barrier that never came must not let the test go on as if it had.
    @discardableResult
    func waitUntil(_ sql: String, reaches target: Int, timeout: Duration = .seconds(10)) async throws -> Int {
        let reached = try await database.waitUntil(sql, reaches: target, timeout: timeout)
        guard reached >= target else { throw TestSupportError("\(sql) counted \(reached), not \(target), within \(timeout).") }
        return reached
    }

    /// Waits up to `timeout` for `sql` to count at least `target`, and returns the last count whether or not it did.
    func countAfterWaiting(_ sql: String, upTo target: Int, timeout: Duration) async throws -> Int {
        try await database.waitUntil(sql, reaches: target, timeout: timeout)
    }

    /// Waits until the rules have evaluated the event `id` of `home` (their checkpoint has passed it): a positive barrier
    /// before asserting that something did not happen, instead of a sleep that a slow machine outlasts.
    func waitUntilRulesEvaluated(home: String, event id: String, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let seq = "SELECT COALESCE((SELECT seq FROM events WHERE home_id = '\(home)' AND id = '\(id)'), -1)"
        while true {
            let stored = try count(seq)
            if stored > 0, try count("SELECT last_event_seq FROM rules_checkpoint") >= stored { return }
            guard ContinuousClock.now < deadline else {
                throw TestSupportError("The rules did not evaluate event \(id) of \(home) within \(timeout) (stored: \(stored > 0)).")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func tearDown() async {
        if let hub {
            hub.child.signal(SIGTERM)
            if await hub.child.waitForExit(timeout: .seconds(5)) == nil { await hub.child.kill() }
        }
        watcher.stop()
        await broker.stop()
        // CAREHUB_KEEP_E2E=1 keeps the database and the hubs' logs for a post-mortem.
        if ProcessInfo.processInfo.environment["CAREHUB_KEEP_E2E"] == nil { directory.remove() } else { print("Kept \(directory.url.path)") }
    }
}
