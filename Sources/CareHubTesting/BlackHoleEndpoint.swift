import Foundation

/// A TCP listener on 127.0.0.1 that accepts every connection and never answers: the webhook that holds a
/// sender for its whole time-out. Counts the connections it accepted, so a test can prove it was tried.
public final class BlackHoleEndpoint: @unchecked Sendable {
    // @unchecked because `child` is only touched by the owning test.
    public let port: Int
    private let countURL: URL
    private let child: ChildProcess
    private let directory: TemporaryDirectory

    static let script = #"""
    import socket, sys
    port, count_path = int(sys.argv[1]), sys.argv[2]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    held = []
    while True:
        connection, _ = listener.accept()
        held.append(connection)
        with open(count_path, "w") as f:
            f.write(str(len(held)))
    """#

    public init() async throws {
        directory = try TemporaryDirectory(prefix: "carehub-blackhole")
        port = try FreePort.find()
        countURL = directory.url.appendingPathComponent("accepted")
        let scriptPath = directory.path("blackhole.py")
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        child = try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: [scriptPath, String(port), countURL.path],
                                 logURL: directory.url.appendingPathComponent("blackhole.log"))
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while (try? String(contentsOf: countURL, encoding: .utf8)) == nil {
            // The probe is itself accepted (and counted), which is how we know the listener is up.
            guard child.isRunning, ContinuousClock.now < deadline else { throw TestSupportError("The black-hole endpoint did not start: \(child.log)") }
            _ = FreePort.isAccepting(port)
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Connections accepted so far, the start-up probe included.
    public var acceptedConnections: Int {
        Int(((try? String(contentsOf: countURL, encoding: .utf8)) ?? "0").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    public func stop() async {
        await child.kill()
        directory.remove()
    }
}
