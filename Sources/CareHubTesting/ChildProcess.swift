import Foundation

/// A child process started with `posix_spawn`, its output appended to a log file, reaped with `waitpid`.
/// (Foundation's `Process.isRunning` was seen to lag by seconds after a child exited, which makes
/// kill-and-restart tests slow and flaky; this type waits on the pid itself.) Bounded waits only.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked because `exitStatus` is guarded by `lock`.
    public let pid: pid_t
    public let logURL: URL
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable`; standard output (and standard error, unless `errorURL` is given) go to `logURL`.
    public init(executable: URL, arguments: [String], environment: [String: String] = [:], logURL: URL, errorURL: URL? = nil) throws {
        self.logURL = logURL
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logURL.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errorURL {
            posix_spawn_file_actions_addopen(&actions, 2, errorURL.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let environmentList = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            environmentList.forEach { free($0) }
        }
        // Test runners spawn from dispatch worker threads, which block most signals; a child inherits that
        // mask and would never see SIGTERM. Start it with nothing blocked and default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptySet = sigset_t()
        sigemptyset(&emptySet)
        posix_spawnattr_setsigmask(&attributes, &emptySet)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let code = posix_spawn(&child, executable.path, &actions, &attributes, argv, environmentList)
        guard code == 0 else { throw TestSupportError("Could not start \(executable.path): error \(code).") }
        pid = child
    }

    /// Nil while running; the exit status (or 128 + signal) once it has ended.
    public var status: Int32? {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == -1, errno == ECHILD {
                // Someone else reaped it (a SIGCHLD handler in the test runner); it has ended, status unknown.
                exitStatus = -1
                return exitStatus
            }
            guard result == pid else { return nil }
            let signal = raw & 0x7F
            exitStatus = signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
            return exitStatus
        }
    }

    public var isRunning: Bool { status == nil }

    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) {
        if isRunning { _ = Glibc.kill(pid, signal) }
    }

    /// Waits up to `timeout` for the process to exit; returns its status, or nil if still running.
    @discardableResult
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let status { return status }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return status
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
            if !isRunning { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        if log.contains(text) { return }
        throw TestSupportError("\"\(text)\" did not appear in \(logURL.lastPathComponent) within \(timeout):\n\(log.suffix(3000))")
    }
}
