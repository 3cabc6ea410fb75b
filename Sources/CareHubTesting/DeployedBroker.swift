import Foundation

/// The shipped broker configuration (`deploy/mosquitto/`: `mosquitto.conf`, `acl`, `make-certs.sh`) started for
/// real on a free loopback port: TLS, passwords and the ACL, with only its paths and port rewritten.
///
/// mosquitto started as root drops to its own `mosquitto` user before it reads certificates, passwords and the
/// ACL, so every file it reads or writes lives in this broker's own temporary directory (made readable to that
/// user), never in the clone, which may sit in a private directory such as `/root/carehub` (mode 0700).
///
/// ```swift
/// let broker = try await DeployedBroker.start(accounts: ["carehub": "hub-secret", "home-a": "a-secret"])
/// let gateway = try broker.client(user: "home-a")
/// ```
public final class DeployedBroker: @unchecked Sendable {
    // @unchecked because every field is set once, at start.
    public let port: Int
    public let directory: TemporaryDirectory
    /// Each account's password, by user name.
    public let accounts: [String: String]
    private let child: ChildProcess

    /// The shipped files, in the clone.
    public static let deployDirectory = TestPaths.packageRoot.appendingPathComponent("deploy/mosquitto")

    private init(port: Int, directory: TemporaryDirectory, accounts: [String: String], child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.accounts = accounts
        self.child = child
    }

    /// The site CA that signed the broker's certificate, for clients.
    public var caFile: String { directory.path("tls/ca.crt") }
    /// What mosquitto logged (`log_dest file`).
    public var log: String { (try? String(contentsOfFile: directory.path("mosquitto.log"), encoding: .utf8)) ?? "" }

    /// Starts the shipped configuration with these accounts (user name: password) in its password file.
    ///
    /// - Parameters:
    ///   - extraACL: lines appended to the test's copy of the shipped ACL (an observer account, say).
    ///   - configurationEdits: further (shipped text, replacement) pairs applied to `mosquitto.conf`; each shipped
    ///     text must be present, so a test that edits the shipped file fails loudly once the file changes.
    public static func start(
        accounts: [String: String], extraACL: String = "", configurationEdits: [(String, String)] = []
    ) async throws -> DeployedBroker {
        guard FileManager.default.isExecutableFile(atPath: MosquittoBroker.executable.path) else {
            throw TestSupportError("mosquitto is not installed at \(MosquittoBroker.executable.path); run `bash scripts/setup.sh` (make test does).")
        }
        let directory = try TemporaryDirectory(prefix: "carehub-deployed")
        try await run("/bin/bash", [deployDirectory.appendingPathComponent("make-certs.sh").path, directory.path("tls"), "localhost"], in: directory)
        let passwords = directory.path("passwd")
        let plain = accounts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)\n" }.joined()
        try plain.write(toFile: passwords, atomically: true, encoding: .utf8)
        try await run("/usr/bin/mosquitto_passwd", ["-U", passwords], in: directory)
        let shippedACL = try String(contentsOf: deployDirectory.appendingPathComponent("acl"), encoding: .utf8)
        try (shippedACL + "\n" + extraACL + "\n").write(toFile: directory.path("acl"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory.path("data"), withIntermediateDirectories: true)
        let port = try FreePort.find()
        try configuration(port: port, directory: directory, edits: configurationEdits)
            .write(toFile: directory.path("mosquitto.conf"), atomically: true, encoding: .utf8)
        try await run("/bin/chmod", ["-R", "a+rwX", directory.url.path], in: directory)
        let child = try await launch(directory: directory, port: port)
        return DeployedBroker(port: port, directory: directory, accounts: accounts, child: child)
    }

    /// The shipped `mosquitto.conf` with its paths pointing into `directory`, its listener on `port`, then `edits`.
    static func configuration(port: Int, directory: TemporaryDirectory, edits: [(String, String)]) throws -> String {
        var configuration = try String(contentsOf: deployDirectory.appendingPathComponent("mosquitto.conf"), encoding: .utf8)
        let rewrites = [
            ("pid_file /run/mosquitto/mosquitto.pid", "pid_file \(directory.path("mosquitto.pid"))"),
            ("log_dest file /var/log/mosquitto/mosquitto.log", "log_dest file \(directory.path("mosquitto.log"))"),
            ("listener 8883", "listener \(port) 127.0.0.1"),
            ("/etc/mosquitto/certs/ca.crt", directory.path("tls/ca.crt")),
            ("/etc/mosquitto/certs/broker.crt", directory.path("tls/broker.crt")),
            ("/etc/mosquitto/certs/broker.key", directory.path("tls/broker.key")),
            ("password_file /etc/mosquitto/passwd", "password_file \(directory.path("passwd"))"),
            ("acl_file /etc/mosquitto/acl", "acl_file \(directory.path("acl"))"),
            ("persistence_location /var/lib/mosquitto/", "persistence_location \(directory.path("data"))/"),
        ] + edits
        for (shipped, local) in rewrites {
            guard configuration.contains(shipped) else { throw TestSupportError("deploy/mosquitto/mosquitto.conf no longer contains \"\(shipped)\".") }
            configuration = configuration.replacingOccurrences(of: shipped, with: local)
        }
        return configuration
    }

    private static func launch(directory: TemporaryDirectory, port: Int) async throws -> ChildProcess {
        let child = try ChildProcess(executable: MosquittoBroker.executable, arguments: ["-c", directory.path("mosquitto.conf")],
                                     logURL: directory.url.appendingPathComponent("stdout.log"))
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !FreePort.isAccepting(port) {
            guard child.isRunning, ContinuousClock.now < deadline else {
                await child.kill()
                let log = (try? String(contentsOfFile: directory.path("mosquitto.log"), encoding: .utf8)) ?? ""
                throw TestSupportError("The shipped broker configuration did not start: \(child.log)\n\(log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return child
    }

    private static func run(_ executable: String, _ arguments: [String], in directory: TemporaryDirectory) async throws {
        let child = try ChildProcess(executable: URL(fileURLWithPath: executable), arguments: arguments,
                                     logURL: directory.url.appendingPathComponent("setup.log"))
        guard await child.waitForExit(timeout: .seconds(60)) == 0 else {
            throw TestSupportError("\(executable) \(arguments.joined(separator: " ")) failed: \(child.log.suffix(500))")
        }
    }

    public func stop() async {
        child.signal(SIGTERM)
        if await child.waitForExit(timeout: .seconds(5)) == nil { await child.kill() }
        directory.remove()
    }
}
