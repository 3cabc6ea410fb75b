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
    /// Runs `carehub ARGUMENTS…` to completion (bounded by `timeout`), capturing its output.
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        let directory = try TemporaryDirectory(prefix: "carehub-cli")
        defer { directory.remove() }
        let child = try ChildProcess(executable: TestPaths.carehubBinary, arguments: arguments, environment: environment,
                                     logURL: directory.url.appendingPathComponent("stdout"),
                                     errorURL: directory.url.appendingPathComponent("stderr"))
        guard let status = await child.waitForExit(timeout: timeout) else {
            await child.kill()
            throw TestSupportError("carehub \(arguments.joined(separator: " ")) did not finish within \(timeout).")
        }
        let standardError = (try? String(contentsOfFile: directory.path("stderr"), encoding: .utf8)) ?? ""
        return CommandResult(status: status, standardOutput: child.log, standardError: standardError)
    }
}
