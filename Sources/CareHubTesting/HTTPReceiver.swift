import Foundation

/// A real HTTP receiver on 127.0.0.1 for webhook tests: answers 500 to the first `failFirst` requests, then
/// 200, each after `answerAfter` seconds (0: at once), and records every request (headers, body and the
/// wall-clock time it arrived, `received_at` in Unix seconds) as a JSON line.
public final class HTTPReceiver: @unchecked Sendable {
    // @unchecked because `child` is only touched by the owning test.
    public let port: Int
    public let logURL: URL
    private let child: ChildProcess
    private let directory: TemporaryDirectory

    static let script = #"""
    import json, os, sys, time
    from http.server import BaseHTTPRequestHandler, HTTPServer
    port, log, fail_first, answer_after = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    count = {"n": 0}
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received_at = time.time()
            count["n"] += 1
            status = 500 if count["n"] <= fail_first else 200
            with open(log, "a") as f:
                f.write(json.dumps({"path": self.path, "status": status, "headers": dict(self.headers), "body": body.decode("utf-8"),
                                    "received_at": received_at}) + "\n")
            time.sleep(answer_after)
            self.send_response(status)
            self.end_headers()
        def log_message(self, *args):
            pass
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#

    public init(failFirst: Int = 0, answerAfter: Double = 0) async throws {
        directory = try TemporaryDirectory(prefix: "carehub-http")
        port = try FreePort.find()
        logURL = directory.url.appendingPathComponent("requests.jsonl")
        let scriptPath = directory.path("receiver.py")
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        child = try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/python3"),
                                 arguments: [scriptPath, String(port), logURL.path, String(failFirst), String(answerAfter)],
                                 logURL: directory.url.appendingPathComponent("receiver.log"))
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !FreePort.isAccepting(port) {
            guard child.isRunning, ContinuousClock.now < deadline else { throw TestSupportError("The HTTP receiver did not start: \(child.log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The requests received so far.
    public var requests: [[String: Any]] {
        ((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    public func stop() async {
        await child.kill()
        directory.remove()
    }
}

extension HTTPReceiver {
    /// Waits until a request whose body contains `text` has arrived, and returns it.
    public func waitForRequest(containing text: String, timeout: Duration) async throws -> [String: Any] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let request = requests.first(where: { ($0["body"] as? String)?.contains(text) == true }) { return request }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("No request containing \(text) reached the HTTP receiver within \(timeout).")
    }
}
