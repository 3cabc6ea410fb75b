import CareHubService
import Foundation
import Logging
import Testing

/// Every log line the hub writes has the control characters of gateway input escaped (issue 11, item 10).
@Suite struct EscapingLogHandlerTests {
    @Test func aTopicOrReasonWithALineBreakCannotForgeALogLine() {
        let lines = CapturedLines()
        let logger = Logger(label: "test") { _ in EscapingLogHandler(wrapping: CapturingHandler(lines: lines)) }
        logger.warning("Message refused and kept", metadata: [
            "mqtt.topic": "carehub/v1/flat-1/x\n2026-12-04 info carehub : CareHub ready/event",
            "refusal.reason": "\(RefusalText(text: "unknown type \"\u{1B}[2Jmotion\""))",
            "list": .array([.string("a\rb")]),
        ])
        logger.info("Device \("p\u{7}1") said \("hi\u{2028}there")")
        let written = lines.all.joined(separator: "\n")
        #expect(lines.all.count == 2)
        #expect(!written.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7 || $0.value == 0x2028 })
        #expect(written.contains("x\\n2026-12-04"))
        #expect(written.contains("\\u{1B}[2Jmotion"))
        #expect(!written.contains("a\rb"))
        #expect(written.contains("p\\u{7}1"))
    }
}

private struct RefusalText: CustomStringConvertible {
    var text: String
    var description: String { text }
}

/// Lines written by `CapturingHandler`.
private final class CapturedLines: @unchecked Sendable {
    // @unchecked because `lines` is guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// Formats each event as one line, as a stream handler would, without escaping anything itself.
private struct CapturingHandler: LogHandler {
    let lines: CapturedLines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("\(event.level) \(event.message) \(fields)")
    }
}
