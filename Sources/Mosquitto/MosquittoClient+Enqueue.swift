import CMosquitto

extension MosquittoClient {
    /// Hands a message to libmosquitto and returns at once, without waiting for the broker's acknowledgement.
    /// For QoS 1, libmosquitto keeps it and retries across reconnections. Any thread, including the network
    /// thread inside a handler.
    public func enqueuePublish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws {
        let code = payload.withUnsafeBytes { bytes in
            mosquitto_publish(handle, nil, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
        }
        try MosquittoError.check(code, "publish to \(topic)")
        loopWakeUp.signal()
    }
}
