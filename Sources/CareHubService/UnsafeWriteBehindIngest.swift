#if DEBUG
import Foundation
import Logging
import Mosquitto

/// **Test-only and deliberately wrong.** Acknowledges messages before committing them: the handler only
/// appends to an in-memory queue and returns (so libmosquitto sends the PUBACK at once), and a background
/// thread commits the queue one message at a time — the "write-behind" design that loses whatever is queued
/// when the process dies. It exists so that the crash test can prove it detects loss. Compiled into debug
/// builds only, and enabled only by `CAREHUB_TEST_ACK_BEFORE_COMMIT=1`.
final class UnsafeWriteBehindIngest: @unchecked Sendable {
    // @unchecked because `queue` is guarded by `lock`.
    private let lock = NSLock()
    private var queue: [MosquittoMessage] = []
    private let available = DispatchSemaphore(value: 0)

    static var isRequested: Bool { ProcessInfo.processInfo.environment["CAREHUB_TEST_ACK_BEFORE_COMMIT"] == "1" }

    init(target: IngestHandler, logger: Logger) {
        logger.critical("CAREHUB_TEST_ACK_BEFORE_COMMIT=1: messages are acknowledged BEFORE they are stored. Test builds only.")
        let thread = Thread { [self] in
            while true {
                available.wait()
                let message = lock.withLock { queue.removeFirst() }
                target.handle([message])
            }
        }
        thread.start()
    }

    func handle(_ burst: [MosquittoMessage]) {
        lock.withLock { queue.append(contentsOf: burst) }
        for _ in burst { available.signal() }
    }
}
#endif
