import Foundation
import Logging

/// Every line a logger wrote, at every level, for tests that assert on what the hub logs (or must never log).
///
/// ```swift
/// let log = CapturedLog()
/// let logger = log.logger(label: "hub")
/// …
/// #expect(!log.text.contains("secret"))
/// ```
final class CapturedLog: @unchecked Sendable {
    // @unchecked because `lines` is guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    /// A logger at `trace` whose lines (message and metadata) go here.
    func logger(label: String) -> Logger {
        Logger(label: label) { _ in Handler(log: self) }
    }

    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    fileprivate func append(_ line: String) { lock.withLock { lines.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append("\(event.level) \(event.message) \(all.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
