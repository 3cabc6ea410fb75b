#if DEBUG
import Foundation
import Logging
/// **Test-only.** Ends the process, as a crash would, inside the transaction of the burst holding the Nth message,
/// before it commits: the crash the group commit must survive (nothing of the burst stored, nothing acknowledged)
/// and that a build acknowledging before its commit cannot (`CAREHUB_TEST_ACK_BEFORE_BATCH_COMMIT`). Compiled into
/// debug builds only, and enabled only by `CAREHUB_TEST_DIE_BEFORE_COMMIT=N`.
final class DieBeforeCommit: @unchecked Sendable {
    // @unchecked because `remaining` is only touched on the MQTT network thread, which delivers one burst at a time.
    private var remaining: Int

    static var requested: Int? {
        ProcessInfo.processInfo.environment["CAREHUB_TEST_DIE_BEFORE_COMMIT"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
    }

    init(count: Int, logger: Logger) {
        logger.critical("CAREHUB_TEST_DIE_BEFORE_COMMIT=\(count): the hub ends itself inside the commit of its \(count)th message. Test builds only.")
        remaining = count
    }

    func burstReady(messages: Int) {
        remaining -= messages
        if remaining <= 0 { _exit(137) }
    }
}
#endif
