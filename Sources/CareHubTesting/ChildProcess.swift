import Foundation

/// A child process with its output in a log file; killed on `stop`. Bounded waits only.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked because `process` is only touched from the owning test, one call at a time.
    public let process = Process()
    public let logURL: URL

    public init(executable: URL, arguments: [String], environment: [String: String] = [:], logURL: URL) throws {
        self.logURL = logURL
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, signal) }
    }

    /// Waits up to `timeout` for the process to exit; returns its status, or nil if still running.
    @discardableResult
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGKILL and reap.
    public func kill() async {
        signal(SIGKILL)
        await waitForExit(timeout: .seconds(10))
    }

    /// Waits until the log contains `text`; throws with the log's tail after `timeout`.
    public func waitForLog(_ text: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if log.contains(text) { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        if log.contains(text) { return }
        throw TestSupportError("\"\(text)\" did not appear in \(logURL.lastPathComponent) within \(timeout):\n\(log.suffix(3000))")
    }
}
