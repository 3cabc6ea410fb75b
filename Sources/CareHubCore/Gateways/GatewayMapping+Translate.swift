import Foundation

extension GatewayMapping {
    /// Translates one message received on a topic of `route`, given what was remembered about its device.
    /// A retained message (the broker replaying a stored state on subscribe) only moves the baselines, except
    /// that an alarm it reports for the first time is still an event.
    public func translate(
        route: Route, payload: [UInt8], topic: String, retained: Bool = false, receivedAt: Int64, memory: DeviceMappingMemory
    ) -> MappedMessage {
        var result = MappedMessage(outcome: .ignored, memory: memory)
        switch route.message {
        case .ignore:
            return result
        case .gatewayStatus, .deviceStatus:
            switch readStatus(payload) {
            case .success(let state): result.outcome = route.message == .gatewayStatus ? .gatewayStatus(state) : .deviceStatus(state)
            case .failure(let reason): result.outcome = .refused(reason)
            }
            return result
        case .state:
            break
        }
        let document: JSONValue
        switch readPayload(payload, form: route.payload) {
        case .success(let value): document = route.wrap.map { .object([$0: value]) } ?? value
        case .failure(let reason):
            result.outcome = .refused(reason)
            return result
        }
        let digest = Self.digest(topic: topic, payload: payload)
        if !retained, memory.lastDigest == digest, let last = memory.lastMessageAt, receivedAt - last < duplicateWindow, receivedAt >= last {
            result.outcome = .duplicate
            return result
        }
        let battery = battery.flatMap { $0.resolve(in: document) }.flatMap(Self.number).flatMap { (0...100).contains($0) ? $0 : nil }
        var events: [MappedEvent] = []
        for field in route.fields ?? fields {
            guard let event = apply(field, to: document, retained: retained, receivedAt: receivedAt, memory: &result.memory) else { continue }
            events.append(MappedEvent(type: event.type, value: event.value, isTest: event.isTest, battery: battery))
        }
        result.linkQuality = linkQuality.flatMap { $0.resolve(in: document) }.flatMap(Self.number)
        result.observedAt = time.flatMap { $0.resolve(in: document) }.flatMap(Self.instant)
        let previousMessage = memory.lastMessageAt
        let batteryChanged = battery != nil && battery != memory.battery
        if let battery { result.memory.battery = battery }
        if !retained {
            result.memory.lastMessageAt = max(receivedAt, memory.lastMessageAt ?? receivedAt)
            result.memory.lastDigest = digest
        }
        if !events.isEmpty {
            result.outcome = .events(events)
        } else if retained || !heartbeat {
            result.outcome = .ignored
        } else if !batteryChanged, let previousMessage, receivedAt >= previousMessage, receivedAt - previousMessage < duplicateWindow {
            // A heartbeat right after another message says nothing new, unless the battery level moved.
            result.outcome = .duplicate
        } else {
            result.outcome = .heartbeat(battery: battery)
        }
        return result
    }

    /// Applies one field: the event it makes now, if any, updating the device's memory.
    private func apply(_ field: Field, to document: JSONValue, retained: Bool, receivedAt: Int64, memory: inout DeviceMappingMemory) -> MappedEvent? {
        guard let rawValue = field.key.resolve(in: document), let raw = Self.text(of: rawValue) else { return nil }
        var remembered = memory.fields[field.memoryKey] ?? DeviceMappingMemory.FieldMemory()
        defer { memory.fields[field.memoryKey] = remembered }
        let isTest = field.test.flatMap { $0.resolve(in: document) }.map { $0 == .bool(true) || $0 == .string("true") } ?? false
        let value = Self.value(of: rawValue, raw: raw, for: field)
        let repeatedTooSoon = remembered.emitted == raw && (remembered.emittedAt.map { receivedAt >= $0 && receivedAt - $0 < duplicateWindow } ?? false)
        let emit: Bool
        if isTest {
            emit = !repeatedTooSoon
        } else {
            let previous = remembered.seen
            remembered.seen = raw
            if retained {
                emit = field.type.isAlarm && previous != raw
            } else if field.everyTime.contains(raw) {
                emit = !repeatedTooSoon
            } else if previous == nil {
                emit = !field.firstSeenIsBaseline
            } else {
                emit = previous != raw
            }
        }
        guard emit, let value else { return nil }
        remembered.emitted = raw
        remembered.emittedAt = receivedAt
        return MappedEvent(type: field.type, value: value, isTest: isTest)
    }

    /// The contract value for a raw value, or nil when the field does not make one from it.
    static func value(of rawValue: JSONValue, raw: String, for field: Field) -> EventValue? {
        if let table = field.values { return table[raw] }
        switch field.type.expectedValue {
        case .none:
            return raw.isEmpty ? nil : EventValue.none
        case .boolean:
            if case .bool(let flag) = rawValue { return .boolean(flag) }
            return nil
        case .oneOf(let words):
            return words.contains(raw) ? .text(raw) : nil
        case .number(let range):
            guard let number = number(rawValue) else { return nil }
            let scaled = number * (field.scale ?? 1)
            return range.contains(scaled) ? .number(scaled) : nil
        }
    }

    /// A scalar as text for value tables and change detection; nil for null, arrays and objects.
    static func text(of value: JSONValue) -> String? {
        switch value {
        case .null, .array, .object: nil
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): JSONText.number(number)
        case .string(let text): text
        }
    }

    /// A number, or text holding one (`"100.00"`: old Zigbee2MQTT releases sent the battery as text).
    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .string(let text): Double(text.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
        default: nil
        }
    }

    /// An RFC 3339 time, or epoch milliseconds (or seconds, when too small to be milliseconds).
    static func instant(_ value: JSONValue) -> Int64? {
        switch value {
        case .string(let text): return RFC3339.parseMilliseconds(text)
        case .number(let number):
            guard number.isFinite, number > 0, number < 1e15 else { return nil }
            return number >= 1e11 ? Int64(number) : Int64(number * 1000)
        default: return nil
        }
    }

    private func readPayload(_ payload: [UInt8], form: PayloadForm) -> Result<JSONValue, RefusalReason> {
        guard payload.count <= EventDecoder.maximumPayloadBytes else { return .failure(.tooLarge(payload.count)) }
        guard let text = String(validating: payload, as: UTF8.self) else { return .failure(.invalidUTF8) }
        switch form {
        case .text:
            return .success(.string(text))
        case .auto:
            return .success((try? JSONValue.parse(payload)) ?? .string(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        case .json:
            do {
                let value = try JSONValue.parse(payload)
                guard case .object = value else { return .failure(.notAnObject) }
                return .success(value)
            } catch {
                return .failure(.invalidJSON(error.description))
            }
        }
    }

    private func readStatus(_ payload: [UInt8]) -> Result<GatewayState, RefusalReason> {
        guard case .success(let document) = readPayload(payload, form: .auto) else {
            return .failure(.invalidStatus("the payload is not readable text"))
        }
        let word: JSONValue? = if case .object = document { status.key.resolve(in: document) } else { document }
        guard let word, let raw = Self.text(of: word) else { return .failure(.invalidStatus("no status word in the payload")) }
        if status.online.contains(raw) { return .success(.online) }
        if status.offline.contains(raw) { return .success(.offline) }
        return .failure(.invalidStatus("\"\(raw.prefix(40))\" is not one of the mapping's online or offline words"))
    }

    /// FNV-1a over the topic and payload: identifies "the same message again" within the duplicate window.
    public static func digest(topic: String, payload: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in topic.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3
        for byte in payload {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
