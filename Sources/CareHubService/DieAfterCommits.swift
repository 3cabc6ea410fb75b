#if DEBUG
import CareHubCore
import Foundation
import Logging
import Mosquitto

/// **Test-only.** Ends the process, as a crash would, right after the burst holding the Nth message has been
/// committed and before its handler returns, so none of the burst's acknowledgements leaves: the worst moment for a crash, the one in which the
/// broker redelivers a message the hub has already stored. A SIGKILL lands there only now and then; this lands
/// there every time, so the mapped crash test's negative control cannot pass by luck. Compiled into debug builds
/// only, and enabled only by `CAREHUB_TEST_DIE_AFTER_COMMITS=N`.
final class DieAfterCommits: @unchecked Sendable {
    // @unchecked because `remaining` is only touched on the MQTT network thread, which delivers one burst at a time.
    private var remaining: Int
    private let target: MosquittoClient.BatchHandler

    static var requested: Int? {
        ProcessInfo.processInfo.environment["CAREHUB_TEST_DIE_AFTER_COMMITS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
    }

    init(count: Int, target: @escaping MosquittoClient.BatchHandler, logger: Logger) {
        logger.critical("CAREHUB_TEST_DIE_AFTER_COMMITS=\(count): the hub ends itself after storing \(count) messages, before acknowledging the last. Test builds only.")
        remaining = count
        self.target = target
    }

    func handle(_ burst: [MosquittoMessage]) {
        target(burst)
        remaining -= burst.lazy.filter { $0.topic != Topic.sentinel }.count
        if remaining <= 0 { _exit(137) }
    }
}
#endif

