import Foundation

/// A scanner specialised for the payload gateways actually send (contract section 2): one flat JSON object of
/// ASCII text whose members are among the contract's fields, with strings that need no unescaping and
/// numbers that convert exactly without `strtod`.
///
/// It reads such a payload into the same `EventFields` the general parser would give, several times faster,
/// because it builds no dictionary and no intermediate `String` for keys or numbers. Whenever the payload is
/// anything else (an escape, a byte above 0x7F, a nested value, an unknown or repeated member, an exponent,
/// more digits than convert exactly, or any syntax error) it returns nil and the caller must use the general
/// parser: it never decides a refusal itself, so the two paths cannot disagree.
///
/// ```swift
/// let fields = payload.withUnsafeBufferPointer { ContractPayloadScanner(bytes: $0).scan() }  // nil: not sure
/// ```
struct ContractPayloadScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The payload's contract fields, or nil when only the general parser may judge it.
    mutating func scan() -> EventFields? {
        guard bytes.count <= EventDecoder.maximumPayloadBytes else { return nil }
        skipWhitespace()
        guard next(is: UInt8(ascii: "{")) else { return nil }
        var fields = EventFields()
        skipWhitespace()
        if next(is: UInt8(ascii: "}")) { return finish(fields) }
        while true {
            skipWhitespace()
            guard let key = scanKey() else { return nil }
            skipWhitespace()
            guard next(is: UInt8(ascii: ":")) else { return nil }
            skipWhitespace()
            if key == .ts, let instant = scanTimestamp() {
                guard fields.ts == nil else { return nil }
                fields.ts = .instant(instant)
            } else {
                guard let value = scanValue(), fields.set(key, to: value) else { return nil }
            }
            skipWhitespace()
            if next(is: UInt8(ascii: ",")) { continue }
            guard next(is: UInt8(ascii: "}")) else { return nil }
            return finish(fields)
        }
    }

    /// Only whitespace may follow the object.
    private mutating func finish(_ fields: EventFields) -> EventFields? {
        skipWhitespace()
        return position == bytes.count ? fields : nil
    }

    private mutating func next(is byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The contents of a string with nothing to unescape and only printable ASCII, as a range of `bytes`.
    private mutating func scanPlainString() -> Range<Int>? {
        guard next(is: UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return start..<(position - 1)
            }
            // An escape, a control character or anything beyond ASCII: the general parser decides.
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            position += 1
        }
        return nil
    }

    private mutating func scanKey() -> EventFields.Key? {
        guard let range = scanPlainString() else { return nil }
        return EventFields.Key(UnsafeBufferPointer(rebasing: bytes[range]))
    }

    /// A plain string that is an RFC 3339 time, read as the instant (nil, and nothing consumed, otherwise).
    private mutating func scanTimestamp() -> Date? {
        let start = position
        guard let range = scanPlainString(), let instant = RFC3339.parse(bytes: UnsafeBufferPointer(rebasing: bytes[range])) else {
            position = start
            return nil
        }
        return instant
    }

    private mutating func scanValue() -> JSONValue? {
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return scanPlainString().map { .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self)) }
        case UInt8(ascii: "t"): return scanLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return scanLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return scanLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return scanNumber().map { .number($0) }
        default: return nil
        }
    }

    private mutating func scanLiteral(_ literal: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return nil }
        for index in 0..<count where bytes[position + index] != literal.utf8Start[index] { return nil }
        position += count
        return value
    }

    /// Powers of ten that a Double holds exactly.
    private static let exactPowersOfTen: [Double] = (0...15).map { exponent in
        (0..<exponent).reduce(1.0) { product, _ in product * 10 }
    }

    /// A JSON number of at most 15 significant digits and no exponent: its digits form an integer below 2^53 and
    /// the divisor is an exact power of ten, so one IEEE division rounds exactly as `Double(String)` does.
    private mutating func scanNumber() -> Double? {
        let negative = next(is: UInt8(ascii: "-"))
        var mantissa: Int64 = 0
        var digits = 0
        var fractionDigits = 0
        guard position < bytes.count, isDigit(bytes[position]) else { return nil }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            digits = 1
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                mantissa = mantissa * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
                digits += 1
                position += 1
                if digits > 15 { return nil }
            }
        }
        if next(is: UInt8(ascii: ".")) {
            guard position < bytes.count, isDigit(bytes[position]) else { return nil }
            while position < bytes.count, isDigit(bytes[position]) {
                mantissa = mantissa * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
                digits += 1
                fractionDigits += 1
                position += 1
                if digits > 15 { return nil }
            }
        }
        // An exponent, or digits run into a letter: the general parser decides.
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") { return nil }
        let magnitude = Double(mantissa) / Self.exactPowersOfTen[fractionDigits]
        return negative ? -magnitude : magnitude
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

extension EventFields {
    /// A member name the contract knows.
    enum Key {
        case id, ts, type, value, room, battery, seq, test

        init?(_ name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 2 where name[0] == UInt8(ascii: "i") && name[1] == UInt8(ascii: "d"): self = .id
            case 2 where name[0] == UInt8(ascii: "t") && name[1] == UInt8(ascii: "s"): self = .ts
            default:
                switch String(decoding: name, as: UTF8.self) {
                case "type": self = .type
                case "value": self = .value
                case "room": self = .room
                case "battery": self = .battery
                case "seq": self = .seq
                case "test": self = .test
                default: return nil
                }
            }
        }
    }

    /// Sets a member once; false when it was already set (a repeated key, which only the general parser words).
    mutating func set(_ key: Key, to member: JSONValue) -> Bool {
        func assign(_ field: inout JSONValue?) -> Bool {
            guard field == nil else { return false }
            field = member
            return true
        }
        switch key {
        case .id: return assign(&id)
        case .ts:
            guard ts == nil else { return false }
            ts = .value(member)
            return true
        case .type: return assign(&type)
        case .value: return assign(&value)
        case .room: return assign(&room)
        case .battery: return assign(&battery)
        case .seq: return assign(&seq)
        case .test: return assign(&test)
        }
    }
}
