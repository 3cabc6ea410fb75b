import Foundation

/// A real mosquitto on a free loopback port, for integration tests.
///
/// ```swift
/// let broker = try await MosquittoBroker.start()
/// defer { broker.stop() }
/// ```
public final class MosquittoBroker: @unchecked Sendable {
    // @unchecked because `child` is replaced only by `restart`, called from the owning test.
    public let port: Int
    public let directory: TemporaryDirectory
    private var child: ChildProcess

    public static let executable = URL(fileURLWithPath: "/usr/sbin/mosquitto")

    private init(port: Int, directory: TemporaryDirectory, child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.child = child
    }

    /// Starts a broker with unlimited queues for offline persistent sessions (so tests see the hub's own
    /// behaviour, not broker limits), plus any `extraConfiguration` lines.
    public static func start(extraConfiguration: [String] = []) async throws -> MosquittoBroker {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestSupportError("mosquitto is not installed at \(executable.path); run `bash scripts/setup.sh` (make test does).")
        }
        let directory = try TemporaryDirectory(prefix: "carehub-broker")
        let port = try FreePort.find()
        let configuration = [
            "listener \(port) 127.0.0.1",
            "allow_anonymous true",
            "max_queued_messages 0",
            "message_size_limit 65536",
            "persistence false",
        ] + extraConfiguration
        try configuration.joined(separator: "\n").appending("\n").write(toFile: directory.path("mosquitto.conf"), atomically: true, encoding: .utf8)
        let child = try await launch(directory: directory, port: port)
        return MosquittoBroker(port: port, directory: directory, child: child)
    }

    private static func launch(directory: TemporaryDirectory, port: Int) async throws -> ChildProcess {
        let child = try ChildProcess(
            executable: executable, arguments: ["-c", directory.path("mosquitto.conf")],
            logURL: directory.url.appendingPathComponent("mosquitto.log"))
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !FreePort.isAccepting(port) {
            guard child.isRunning, ContinuousClock.now < deadline else {
                await child.kill()
                throw TestSupportError("mosquitto did not start on port \(port):\n\(child.log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return child
    }

    public var url: String { "mqtt://127.0.0.1:\(port)" }
    public var log: String { child.log }

    /// Stops gracefully (SIGTERM) and starts again on the same port with the same configuration.
    public func restart() async throws {
        await pause()
        try await resume()
    }

    /// Stops gracefully (SIGTERM), keeping the port and configuration for `resume()`: the broker is down meanwhile.
    public func pause() async {
        child.signal(SIGTERM)
        await child.waitForExit(timeout: .seconds(10))
    }

    /// Starts again after `pause()`, on the same port with the same configuration.
    public func resume() async throws {
        child = try await Self.launch(directory: directory, port: port)
    }

    /// SIGKILL (no chance to save) and start again on the same port with the same configuration.
    public func kill9AndRestart() async throws {
        await child.kill()
        child = try await Self.launch(directory: directory, port: port)
    }

    public func stop() async {
        child.signal(SIGTERM)
        if await child.waitForExit(timeout: .seconds(5)) == nil { await child.kill() }
        directory.remove()
    }
}
