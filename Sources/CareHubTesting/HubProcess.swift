import Foundation

/// The built `carehub serve`, run as a child process against a test broker and database.
public final class HubProcess: @unchecked Sendable {
    // @unchecked because the fields are only touched by the owning test, one call at a time.
    public let child: ChildProcess

    public init(databasePath: String, brokerPort: Int, logURL: URL, environment: [String: String] = [:], extraArguments: [String] = []) throws {
        let binary = TestPaths.carehubBinary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSupportError("The carehub binary is not built at \(binary.path); run `swift build` first.")
        }
        child = try ChildProcess(
            executable: binary,
            arguments: ["serve", "--db", databasePath, "--broker", "mqtt://127.0.0.1:\(brokerPort)"] + extraArguments,
            environment: environment, logURL: logURL)
    }

    /// Starts the hub and waits until it is subscribed.
    public static func start(
        databasePath: String, brokerPort: Int, logURL: URL, environment: [String: String] = [:], extraArguments: [String] = []
    ) async throws -> HubProcess {
        let hub = try HubProcess(databasePath: databasePath, brokerPort: brokerPort, logURL: logURL,
                                 environment: environment, extraArguments: extraArguments)
        try await hub.waitUntilReady()
        return hub
    }

    public func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        try await child.waitForLog("CareHub ready", timeout: timeout)
    }
}

/// Runs the built `carehub` once and captures what it printed.
public struct CommandResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

public enum CarehubCommand {
    public static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        let process = Process()
        process.executableURL = TestPaths.carehubBinary
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = OutputCollector(output.fileHandleForReading)
        let errorData = OutputCollector(error.fileHandleForReading)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestSupportError("carehub \(arguments.joined(separator: " ")) did not finish within \(timeout).")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return CommandResult(status: process.terminationStatus, standardOutput: outputData.text(), standardError: errorData.text())
    }
}

/// Drains a pipe on a background thread so a chatty child never blocks on a full pipe.
final class OutputCollector: @unchecked Sendable {
    // @unchecked because `data` is guarded by `lock` and `done` signals the end.
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            let all = handle.readDataToEndOfFile()
            lock.withLock { data = all }
            done.signal()
        }
        thread.start()
    }

    func text() -> String {
        _ = done.wait(timeout: .now() + 5)
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}
