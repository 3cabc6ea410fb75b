import CMosquitto
import Glibc

/// The network thread's loop: poll, read a burst, hand it to the batch handler, and only then write.
extension MosquittoClient {
    /// One turn: waits (at most `timeoutMilliseconds`) for the socket or a wake-up; writes what is queued; if
    /// everything queued has left, reads and delivers a burst, then writes again (the burst's PUBACKs among it) and
    /// runs keep-alive. Returns libmosquitto's result; anything but success ends the connection.
    ///
    /// A burst is read only once every earlier acknowledgement has been written, so that at most one burst is ever
    /// stored but unacknowledged: what the broker can redeliver after a crash, and what `DeliveryLog` must hold.
    func loopOnce(timeoutMilliseconds: Int32) -> Int32 {
        let socket = mosquitto_socket(handle)
        guard socket >= 0 else { return Int32(MOSQ_ERR_NO_CONN.rawValue) }
        let tlsPending = TLSPendingBytes.any(handle)
        var descriptors = [
            pollfd(fd: socket, events: Int16(POLLIN) | (mosquitto_want_write(handle) ? Int16(POLLOUT) : 0), revents: 0),
            pollfd(fd: loopWakeUp.descriptor, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&descriptors, 2, tlsPending ? 0 : timeoutMilliseconds)
        if ready < 0, errno != EINTR { return Int32(MOSQ_ERR_ERRNO.rawValue) }
        if descriptors[1].revents & Int16(POLLIN) != 0 { loopWakeUp.drain() }
        var code = writeQueued()
        guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else { return code }
        let readable = descriptors[0].revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0
        if (readable || tlsPending), !mosquitto_want_write(handle) {
            #if DEBUG
            if configuration.testOnlyAcknowledgeBeforeHandling { return readAndAcknowledgeBeforeHandling(socket: socket) }
            #endif
            code = readBurst(socket: socket)
            deliverBurst()
            guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else { return code }
            code = writeQueued()
            guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else { return code }
        }
        return mosquitto_loop_misc(handle)
    }

    private func writeQueued() -> Int32 {
        mosquitto_want_write(handle) ? mosquitto_loop_write(handle, 1) : Int32(MOSQ_ERR_SUCCESS.rawValue)
    }

    #if DEBUG
    /// **Test-only and deliberately wrong** (`MosquittoConfiguration.testOnlyAcknowledgeBeforeHandling`): the
    /// burst's PUBACKs are written before the batch handler runs, so a crash during its commit loses the burst.
    private func readAndAcknowledgeBeforeHandling(socket: Int32) -> Int32 {
        var code = readBurst(socket: socket)
        if code == Int32(MOSQ_ERR_SUCCESS.rawValue) { code = writeQueued() }
        deliverBurst()
        return code == Int32(MOSQ_ERR_SUCCESS.rawValue) ? mosquitto_loop_misc(handle) : code
    }
    #endif

    /// Reads packets while bytes are waiting on the socket or inside TLS, until the burst holds
    /// `maximumMessages` messages or `maximumDuration` has passed (`drainingBatch`'s while a backlog drains, else
    /// `batch`'s). Messages collect in `inbound`.
    private func readBurst(socket: Int32) -> Int32 {
        let limits = configuration.drainingBatch.flatMap { configuration.isDraining() ? $0 : nil } ?? configuration.batch
        let deadline = ContinuousClock.now.advanced(by: limits.maximumDuration)
        while true {
            let code = mosquitto_loop_read(handle, 1)
            guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else { return code }
            if inbound.count >= limits.maximumMessages || ContinuousClock.now >= deadline { return code }
            guard TLSPendingBytes.any(handle) || Self.hasBytesWaiting(socket) else { return code }
        }
    }

    /// Hands the burst to the batch handler, which stores it (or ends the process) before returning.
    private func deliverBurst() {
        guard !inbound.isEmpty else { return }
        let burst = inbound
        inbound.removeAll(keepingCapacity: true)
        batchHandler(burst)
    }

    private static func hasBytesWaiting(_ socket: Int32) -> Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLIN) != 0
    }
}
