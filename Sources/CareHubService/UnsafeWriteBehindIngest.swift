#if DEBUG
import Foundation
import Logging
import Mosquitto

/// **Test-only and deliberately wrong.** Acknowledges messages before committing them: the handler returns
/// at once and a background thread commits what it buffered every 200 ms. It exists so that the crash test
/// can prove it detects loss. Compiled into debug builds only, enabled by `CAREHUB_TEST_ACK_BEFORE_COMMIT=1`.
final class UnsafeWriteBehindIngest: @unchecked Sendable {
    // @unchecked because `buffer` is guarded by `lock`.
    private let lock = NSLock()
    private var buffer: [MosquittoMessage] = []
    private let target: IngestHandler

    static var isRequested: Bool { ProcessInfo.processInfo.environment["CAREHUB_TEST_ACK_BEFORE_COMMIT"] == "1" }

    init(target: IngestHandler, logger: Logger) {
        self.target = target
        logger.critical("CAREHUB_TEST_ACK_BEFORE_COMMIT=1: messages are acknowledged BEFORE they are stored. Test builds only.")
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.2)
                let batch = lock.withLock { () -> [MosquittoMessage] in
                    defer { buffer.removeAll() }
                    return buffer
                }
                batch.forEach(target.handle)
            }
        }
        thread.start()
    }

    func handle(_ message: MosquittoMessage) {
        lock.withLock { buffer.append(message) }
    }
}
#endif
