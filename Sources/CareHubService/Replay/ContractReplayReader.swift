import CareHubCore
import Foundation

/// Reads contract replay files (contract section 5): one JSON object a line, `{"topic", "payload", "at"}`. A line that is
/// not one is skipped and noted in `unreadable`.
enum ContractReplayReader {
    static func read(_ data: Data, unreadable: inout UnreadableLines) -> [ReplayLine] {
        var lines: [ReplayLine] = []
        var previousTime: Int64?
        var lineNumber = 0
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do throws(ReplayInputError) {
                    let line = try parse(Array(slice), lineNumber: lineNumber, previousTime: previousTime)
                    previousTime = line.time
                    lines.append(line)
                } catch {
                    unreadable.note(error)
                }
            }
        }
        return lines
    }

    private static func parse(_ bytes: [UInt8], lineNumber: Int, previousTime: Int64?) throws(ReplayInputError) -> ReplayLine {
        let object: JSONValue
        do {
            object = try JSONValue.parse(bytes)
        } catch {
            throw ReplayInputError("Line \(lineNumber) is not JSON: \(error).")
        }
        guard case .string(let topic)? = object["topic"] else {
            throw ReplayInputError("Line \(lineNumber) has no \"topic\" string.")
        }
        let payload: [UInt8]
        var eventTime: Int64?
        switch object["payload"] {
        case .string(let text)?:
            payload = Array(text.utf8)
        case let value?:
            payload = Array(JSONText.encode(value).utf8)
            if case .string(let ts)? = value["ts"] { eventTime = RFC3339.parseMilliseconds(ts) }
        case nil:
            throw ReplayInputError("Line \(lineNumber) has no \"payload\".")
        }
        var time: Int64?
        if let at = object["at"], at != .null {
            guard case .string(let text) = at, let parsed = RFC3339.parseMilliseconds(text) else {
                throw ReplayInputError("Line \(lineNumber) has an \"at\" that is not an RFC 3339 time.")
            }
            time = parsed
        }
        guard let resolved = time ?? eventTime ?? previousTime else {
            throw ReplayInputError("Line \(lineNumber) has no \"at\", no event \"ts\" and no line before it to take its time from.")
        }
        return ReplayLine(time: resolved, topic: topic, payload: payload, lineNumber: lineNumber)
    }
}
