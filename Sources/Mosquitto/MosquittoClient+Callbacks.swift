import CMosquitto
import Foundation
import Logging

/// libmosquitto's C callbacks. Each is a non-capturing closure that finds its client through `userdata`
/// (set with `mosquitto_user_data_set` to an unretained pointer to the client; the network thread keeps the
/// client alive while callbacks can run). All of them run on the client's network thread.
extension MosquittoClient {
    static func client(from userdata: UnsafeMutableRawPointer?) -> MosquittoClient? {
        guard let userdata else { return nil }
        return Unmanaged<MosquittoClient>.fromOpaque(userdata).takeUnretainedValue()
    }

    func installCallbacks() {
        mosquitto_connect_with_flags_callback_set(handle) { _, userdata, code, flags in
            MosquittoClient.client(from: userdata)?.didConnect(code: code, sessionPresent: flags & 1 == 1)
        }
        mosquitto_disconnect_callback_set(handle) { _, userdata, code in
            MosquittoClient.client(from: userdata)?.didDisconnect(code: code)
        }
        mosquitto_subscribe_callback_set(handle) { _, userdata, mid, count, granted in
            let grantedQoS = (0..<Int(count)).map { granted?[$0] ?? 0x80 }
            MosquittoClient.client(from: userdata)?.didSubscribe(mid: mid, granted: grantedQoS)
        }
        mosquitto_publish_callback_set(handle) { _, userdata, mid in
            MosquittoClient.client(from: userdata)?.didPublish(mid: mid)
        }
        mosquitto_message_callback_set(handle) { _, userdata, message in
            guard let client = MosquittoClient.client(from: userdata), let message else { return }
            // Copy out now: libmosquitto frees the message when this callback returns.
            let raw = message.pointee
            let topic = raw.topic.map { String(cString: $0) } ?? ""
            let payload: [UInt8]
            if let bytes = raw.payload, raw.payloadlen > 0 {
                payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(raw.payloadlen)))
            } else {
                payload = []
            }
            // The DUP flag from the line libmosquitto logged for this very packet (same thread, just before), if it did.
            let header = client.lastReceivedPublish
            client.lastReceivedPublish = nil
            let duplicateFlag = header.flatMap { $0.mid == raw.mid ? $0.duplicate : nil }
            // Held until the burst ends; its PUBACK (already queued) leaves only after the batch handler returns.
            client.inbound.append(MosquittoMessage(topic: topic, payload: payload, qos: raw.qos, retain: raw.retain, duplicateFlag: duplicateFlag,
                                                   packetID: raw.qos > 0 ? raw.mid : nil))
        }
        mosquitto_log_callback_set(handle) { _, userdata, level, text in
            guard let client = MosquittoClient.client(from: userdata), let text else { return }
            if level == Int32(MOSQ_LOG_DEBUG), let header = ReceivedPublishLine(text) {
                client.lastReceivedPublish = header
            }
            let important = level & Int32(MOSQ_LOG_ERR) != 0 || level & Int32(MOSQ_LOG_WARNING) != 0
            if important {
                client.logger.warning("libmosquitto: \(String(cString: text))")
            } else {
                client.logger.trace("libmosquitto: \(String(cString: text))")
            }
        }
    }

    private func didConnect(code: Int32, sessionPresent: Bool) {
        guard code == 0 else {
            let reason = String(cString: mosquitto_connack_string(code))
            logger.error("MQTT broker refused the connection", metadata: ["mqtt.reason": "\(reason)"])
            stateHandler(.refused(reason: reason))
            return
        }
        logger.info("MQTT connected", metadata: [
            "mqtt.broker": "\(configuration.host):\(configuration.port)",
            "mqtt.client_id": "\(configuration.clientID)",
            "mqtt.session_present": "\(sessionPresent)",
        ])
        var subscriptionIDs: Set<Int32> = []
        for filter in configuration.subscriptions {
            var mid: Int32 = 0
            let code = mosquitto_subscribe(handle, &mid, filter, 1)
            if code == Int32(MOSQ_ERR_SUCCESS.rawValue) {
                subscriptionIDs.insert(mid)
            } else {
                logger.error("MQTT subscribe failed", metadata: [
                    "mqtt.topic": "\(filter)",
                    "mqtt.reason": "\(MosquittoError(code: code, operation: "subscribe"))",
                ])
            }
        }
        let ready = lock.withLock { () -> Bool in
            self.sessionPresent = sessionPresent
            pendingSubscriptions = subscriptionIDs
            reachedReady = subscriptionIDs.isEmpty
            return reachedReady
        }
        if ready { becameReady(sessionPresent: sessionPresent) }
    }

    private func becameReady(sessionPresent: Bool) {
        if let birth = configuration.birth {
            do {
                try enqueuePublish(topic: birth.topic, payload: birth.payload, retain: birth.retain)
            } catch {
                logger.warning("Could not publish the birth message", metadata: ["mqtt.topic": "\(birth.topic)", "error": "\(error)"])
            }
        }
        stateHandler(.ready(sessionPresent: sessionPresent))
    }

    private func didSubscribe(mid: Int32, granted: [Int32]) {
        if granted.contains(where: { $0 == 0x80 }) {
            logger.error("MQTT broker rejected a subscription (check the ACL)", metadata: ["mqtt.mid": "\(mid)"])
        }
        let readyWithSession = lock.withLock { () -> Bool? in
            guard pendingSubscriptions.remove(mid) != nil, pendingSubscriptions.isEmpty else { return nil }
            reachedReady = true
            return sessionPresent
        }
        if let readyWithSession {
            logger.info("MQTT subscriptions active", metadata: ["mqtt.topics": "\(configuration.subscriptions.joined(separator: " "))"])
            becameReady(sessionPresent: readyWithSession)
        }
    }

    private func didDisconnect(code: Int32) {
        if code == 0 {
            logger.info("MQTT disconnected cleanly")
        } else {
            logger.warning("MQTT disconnected unexpectedly", metadata: ["mqtt.reason": "\(MosquittoError(code: code, operation: "connection"))"])
        }
    }

    private func didPublish(mid: Int32) {
        let (continuation, acknowledgement) = lock.withLock {
            (pendingPublishes.removeValue(forKey: mid), pendingAcknowledgements.removeValue(forKey: mid))
        }
        continuation?.resume()
        acknowledgement?.complete(.success(()))
    }
}
