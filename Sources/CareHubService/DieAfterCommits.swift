#if DEBUG
import CareHubCore
import Foundation
import Logging
import Mosquitto

/// **Test-only.** Ends the process, as a crash would, right after the Nth message has been committed and before
/// its handler returns, so its acknowledgement never leaves: the worst moment for a crash, the one in which the
/// broker redelivers a message the hub has already stored. A SIGKILL lands there only now and then; this lands
/// there every time, so the mapped crash test's negative control cannot pass by luck. Compiled into debug builds
/// only, and enabled only by `CAREHUB_TEST_DIE_AFTER_COMMITS=N`.
final class DieAfterCommits: @unchecked Sendable {
    // @unchecked because `remaining` is only touched on the MQTT network thread, which delivers one message at a time.
    private var remaining: Int
    private let target: MosquittoClient.MessageHandler

    static var requested: Int? {
        ProcessInfo.processInfo.environment["CAREHUB_TEST_DIE_AFTER_COMMITS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
    }

    init(count: Int, target: @escaping MosquittoClient.MessageHandler, logger: Logger) {
        logger.critical("CAREHUB_TEST_DIE_AFTER_COMMITS=\(count): the hub ends itself after storing \(count) messages, before acknowledging the last. Test builds only.")
        remaining = count
        self.target = target
    }

    func handle(_ message: MosquittoMessage) {
        target(message)
        guard message.topic != Topic.sentinel else { return }
        remaining -= 1
        if remaining == 0 { _exit(137) }
    }
}
#endif
