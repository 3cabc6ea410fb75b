import Foundation

/// Turns a received MQTT message into an event, a gateway status, or a refusal with its reason
/// (contract sections 1 and 2). Pure: the receive time and the clock-skew policy are inputs.
///
/// An alarm (`pendant`, `pullcord`, `fall`, `smoke`, `co`, `water`) is never refused for a fault other than
/// being unreadable: a bad time stamp, a clock far off or a malformed optional field is flagged instead.
public struct EventDecoder: Sendable {
    public static let maximumPayloadBytes = 16 * 1024
    public static let maximumIDLength = 128
    public static let maximumRoomLength = 64

    public var clockSkew: ClockSkewPolicy

    public init(clockSkew: ClockSkewPolicy = ClockSkewPolicy()) {
        self.clockSkew = clockSkew
    }

    /// Whether a well-formed event is read by the contract payload scanner first (`ContractPayloadScanner`).
    /// The result is the same either way; turning it off is for tests that compare the two paths.
    public var usesFastPath = true

    public func decode(topic: String, payload: [UInt8], receivedAt: Date) -> DecodedMessage {
        if usesFastPath, let (home, device) = Topic.plainEvent(topic),
           let fields = payload.withUnsafeBufferPointer({ buffer in
               var scanner = ContractPayloadScanner(bytes: buffer)
               return scanner.scan()
           }) {
            return message(decodeFields(fields, home: home, device: device, receivedAt: receivedAt), topic: topic, payload: payload,
                           home: home, device: device)
        }
        switch Topic.parse(topic) {
        case .failure(let reason):
            return .refused(RefusedMessage(topic: topic, payload: payload, reason: reason))
        case .success(.gatewayStatus(let home)):
            switch Self.decodeStatus(payload) {
            case .success(let state): return .gatewayStatus(home: home, state: state)
            case .failure(let reason): return .refused(RefusedMessage(topic: topic, payload: payload, reason: reason, home: home))
            }
        case .success(.event(let home, let device)):
            return message(decodeEvent(home: home, device: device, payload: payload, receivedAt: receivedAt), topic: topic, payload: payload,
                           home: home, device: device)
        }
    }

    private func message(_ result: Result<SensorEvent, Failure>, topic: String, payload: [UInt8], home: String, device: String) -> DecodedMessage {
        switch result {
        case .success(let event):
            return .event(event)
        case .failure(let failure):
            return .refused(RefusedMessage(
                topic: topic, payload: payload, reason: failure.reason, home: home, device: device, eventID: failure.eventID))
        }
    }

    /// Why an event payload was refused, and its id if that much was readable.
    struct Failure: Error {
        var reason: RefusalReason
        var eventID: String?
    }

    static func decodeStatus(_ payload: [UInt8]) -> Result<GatewayState, RefusalReason> {
        let text = String(decoding: payload, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if let state = GatewayState(rawValue: text) { return .success(state) }
        guard payload.count <= maximumPayloadBytes, let json = try? JSONValue.parse(payload) else {
            return .failure(.invalidStatus("the payload is neither a word nor JSON"))
        }
        if case .string(let word)? = json["state"], let state = GatewayState(rawValue: word) {
            return .success(state)
        }
        return .failure(.invalidStatus("expected online, offline or {\"state\":\"online\"}"))
    }

    func decodeEvent(home: String, device: String, payload: [UInt8], receivedAt: Date) -> Result<SensorEvent, Failure> {
        guard payload.count <= Self.maximumPayloadBytes else { return .failure(Failure(reason: .tooLarge(payload.count))) }
        guard String(validating: payload, as: UTF8.self) != nil else { return .failure(Failure(reason: .invalidUTF8)) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(payload)
        } catch {
            return .failure(Failure(reason: .invalidJSON(error.description)))
        }
        guard case .object(let members) = json else { return .failure(Failure(reason: .notAnObject)) }
        return decodeFields(EventFields(members), home: home, device: device, receivedAt: receivedAt)
    }

    /// The checks of contract section 2 on the payload's fields, whichever parser read them.
    private func decodeFields(_ fields: EventFields, home: String, device: String, receivedAt: Date) -> Result<SensorEvent, Failure> {
        do {
            return .success(try checkedEvent(fields, home: home, device: device, receivedAt: receivedAt))
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(reason: .invalidJSON("\(error)")))
        }
    }

    private func checkedEvent(_ fields: EventFields, home: String, device: String, receivedAt: Date) throws -> SensorEvent {
        let id = try Self.decodeID(fields.id)
        let type = try Self.decodeType(fields.type, id: id)
        var flags: [EventFlag] = []
        var timestamp: Date
        switch Self.decodeTimestamp(fields.ts) {
        case .success(let date):
            timestamp = date
        case .failure(let reason):
            guard type.isAlarm else { throw Failure(reason: reason, eventID: id) }
            flags.append(.badTimestamp)
            timestamp = receivedAt
        }
        if let violation = clockSkew.violation(eventTime: timestamp, receivedAt: receivedAt) {
            guard type.isAlarm else { throw Failure(reason: violation, eventID: id) }
            flags.append(violation.code == RefusalReason.clockAheadCode ? .clockAhead : .clockBehind)
        }
        let value: EventValue
        do {
            value = try Self.decodeValue(fields.value, for: type)
        } catch let reason as RefusalReason {
            throw Failure(reason: reason, eventID: id)
        }
        var event = SensorEvent(home: home, device: device, id: id, type: type, value: value, timestamp: timestamp, flags: flags)
        do {
            try Self.decodeOptionalFields(fields, into: &event)
        } catch let reason as RefusalReason {
            guard type.isAlarm else { throw Failure(reason: reason, eventID: id) }
            event.flags.append(.ignoredField)
        }
        return event
    }

    /// Whether `text` has a character of Unicode's control category (Cc: U+0000–U+001F and U+007F–U+009F).
    /// Compared by value: the general-category table lookup cost a tenth of a replay's time.
    public static func containsControlCharacter(_ text: String) -> Bool {
        // ASCII text (nearly every id and room) is checked byte by byte; U+0080–U+009F need the scalars.
        var ascii = true
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F { return true }
            if byte >= 0x80 { ascii = false }
        }
        return !ascii && text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    private static func decodeID(_ field: JSONValue?) throws -> String {
        guard let field else { throw Failure(reason: .missingField("id")) }
        guard case .string(let id) = field else { throw Failure(reason: .wrongType("id", expected: "a string")) }
        guard !id.isEmpty, id.utf8.count <= maximumIDLength else {
            throw Failure(reason: .invalidValue("id", "must be 1 to \(maximumIDLength) bytes long"))
        }
        guard !Self.containsControlCharacter(id) else {
            throw Failure(reason: .invalidValue("id", "must not contain control characters"))
        }
        return id
    }

    private static func decodeType(_ field: JSONValue?, id: String) throws -> EventType {
        guard let field else { throw Failure(reason: .missingField("type"), eventID: id) }
        guard case .string(let name) = field else { throw Failure(reason: .wrongType("type", expected: "a string"), eventID: id) }
        guard let type = EventType(name: name) else { throw Failure(reason: .unknownType(name), eventID: id) }
        return type
    }

    private static func decodeTimestamp(_ field: EventFields.Timestamp?) -> Result<Date, RefusalReason> {
        guard let field else { return .failure(.missingField("ts")) }
        let value: JSONValue
        switch field {
        case .instant(let date): return .success(date)
        case .value(let json): value = json
        }
        guard case .string(let text) = value else { return .failure(.wrongType("ts", expected: "an RFC 3339 string")) }
        guard let date = RFC3339.parse(text) else {
            return .failure(.invalidValue("ts", "is not an RFC 3339 time with Z or an offset"))
        }
        return .success(date)
    }

    static func decodeValue(_ field: JSONValue?, for type: EventType) throws -> EventValue {
        switch type.expectedValue {
        case .none:
            return .none
        case .boolean:
            guard let field else { throw RefusalReason.missingField("value") }
            guard case .bool(let flag) = field else { throw RefusalReason.wrongType("value", expected: "true or false for \(type.rawValue)") }
            return .boolean(flag)
        case .oneOf(let words):
            guard let field else { throw RefusalReason.missingField("value") }
            guard case .string(let word) = field, words.contains(word) else {
                throw RefusalReason.invalidValue("value", "must be \(words.map { "\"\($0)\"" }.joined(separator: " or ")) for \(type.rawValue)")
            }
            return .text(word)
        case .number(let range):
            guard let field else { throw RefusalReason.missingField("value") }
            guard case .number(let number) = field else { throw RefusalReason.wrongType("value", expected: "a number for \(type.rawValue)") }
            guard range.contains(number) else {
                throw RefusalReason.invalidValue("value", "must be between \(JSONText.number(range.lowerBound)) and \(JSONText.number(range.upperBound)) for \(type.rawValue)")
            }
            return .number(number)
        }
    }

    private static func decodeOptionalFields(_ fields: EventFields, into event: inout SensorEvent) throws {
        if let room = fields.room, room != .null {
            guard case .string(let name) = room else { throw RefusalReason.wrongType("room", expected: "a string") }
            guard !name.isEmpty, name.utf8.count <= maximumRoomLength,
                  !Self.containsControlCharacter(name)
            else { throw RefusalReason.invalidValue("room", "must be 1 to \(maximumRoomLength) bytes of text") }
            event.room = name
        }
        if let battery = fields.battery, battery != .null {
            guard case .number(let level) = battery else { throw RefusalReason.wrongType("battery", expected: "a number") }
            guard (0...100).contains(level) else { throw RefusalReason.invalidValue("battery", "must be between 0 and 100") }
            event.battery = level
        }
        if let sequence = fields.seq, sequence != .null {
            guard case .number(let number) = sequence else { throw RefusalReason.wrongType("seq", expected: "an integer") }
            guard number >= 0, number <= 9_007_199_254_740_991, number == number.rounded() else {
                throw RefusalReason.invalidValue("seq", "must be a whole number from 0 to 2^53-1")
            }
            event.sequence = Int64(number)
        }
        if let test = fields.test, test != .null {
            guard case .bool(let flag) = test else { throw RefusalReason.wrongType("test", expected: "true or false") }
            event.isTest = flag
        }
        if event.type == .battery, let level = event.value.number {
            event.battery = event.battery ?? level
        }
    }
}

extension RefusalReason {
    static let clockAheadCode = "clock_ahead"
}

extension EventFlag {
    /// An optional field of an alarm was malformed and left out.
    public static let ignoredField = EventFlag(code: "ignored_field")
}
