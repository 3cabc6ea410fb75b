import Glibc

/// The one place libmosquitto tells its user a received message's DUP flag: the debug log line it writes for
/// every PUBLISH before the message callback, `Client <id> received PUBLISH (d1, q1, r0, m42, '<topic>', ... (17 bytes))`
/// (`handle__publish`, the same wording since 1.4). The public `struct mosquitto_message` has no such field.
///
/// The flag matters: a broker sets it when it sends a message again after a reconnect, and never on a message's
/// first transmission, so it tells a redelivery from a new message with the same bytes (`RedeliveryGuard`).
struct ReceivedPublishLine: Equatable {
    let mid: Int32
    let duplicate: Bool

    private static let marker = Array(" received PUBLISH (d".utf8)

    init(mid: Int32, duplicate: Bool) {
        self.mid = mid
        self.duplicate = duplicate
    }

    /// Parses a log line; nil for any other line or a wording this parser does not know.
    init?(_ text: UnsafePointer<CChar>) {
        let line = UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))
        self.init(bytes: line)
    }

    init?(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    private init?<Bytes: RandomAccessCollection<UInt8>>(bytes line: Bytes) where Bytes.Index == Int {
        guard line.starts(with: Array("Client ".utf8)), let marker = line.firstRange(of: Self.marker) else { return nil }
        var index = marker.upperBound
        // d<0|1>, q<n>, r<n>, m<mid>,
        guard index < line.endIndex, line[index] == UInt8(ascii: "0") || line[index] == UInt8(ascii: "1") else { return nil }
        let duplicate = line[index] == UInt8(ascii: "1")
        index += 1
        for field in ["q", "r"] {
            guard Self.skip(", \(field)", in: line, at: &index), Self.number(in: line, at: &index) != nil else { return nil }
        }
        guard Self.skip(", m", in: line, at: &index), let mid = Self.number(in: line, at: &index),
              Self.skip(", '", in: line, at: &index) else { return nil }
        self.mid = Int32(truncatingIfNeeded: mid)
        self.duplicate = duplicate
    }

    private static func skip<Bytes: RandomAccessCollection<UInt8>>(_ text: String, in line: Bytes, at index: inout Int) -> Bool where Bytes.Index == Int {
        let expected = text.utf8
        guard line[index...].starts(with: expected) else { return false }
        index += expected.count
        return true
    }

    private static func number<Bytes: RandomAccessCollection<UInt8>>(in line: Bytes, at index: inout Int) -> Int64? where Bytes.Index == Int {
        var value: Int64 = 0
        let start = index
        while index < line.endIndex, index - start < 10, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") {
            value = value * 10 + Int64(line[index] - UInt8(ascii: "0"))
            index += 1
        }
        return index > start ? value : nil
    }
}
