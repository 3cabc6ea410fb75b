extension Topic {
    /// The home and device of a well-formed event topic (`carehub/v1/<home>/<device>/event`, neither part
    /// reserved nor invalid), read in place without splitting the topic; nil for anything else, which
    /// `parse` must then judge and word. Used by the decoder's fast path.
    static func plainEvent(_ topic: String) -> (home: String, device: String)? {
        topic.utf8.withContiguousStorageIfAvailable { bytes -> (home: String, device: String)? in
            let prefix = PlainEventBytes.prefix
            let suffix = PlainEventBytes.suffix
            guard bytes.count > prefix.count + suffix.count, PlainEventBytes.equal(bytes, from: 0, to: prefix),
                  PlainEventBytes.equal(bytes, from: bytes.count - suffix.count, to: suffix)
            else { return nil }
            let middle = UnsafeBufferPointer(rebasing: bytes[prefix.count..<(bytes.count - suffix.count)])
            guard let slash = middle.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            let home = UnsafeBufferPointer(rebasing: middle[..<slash])
            let device = UnsafeBufferPointer(rebasing: middle[(slash + 1)...])
            // Identifier.isValid also refuses a second "/" in the device.
            guard Identifier.isValid(utf8: home), Identifier.isValid(utf8: device) else { return nil }
            // Compared in place, as `Identifier.homeProblem` does: no hashing for every message.
            guard !PlainEventBytes.reservedHomes.contains(where: { $0.count == home.count && PlainEventBytes.equal(home, from: 0, to: $0) })
            else { return nil }
            return (String(decoding: home, as: UTF8.self), String(decoding: device, as: UTF8.self))
        } ?? nil
    }
}

/// The fixed parts of an event topic as bytes, made once: compared byte by byte for every message, where a
/// `String`'s UTF-8 view would be walked through its generic sequence interface.
private enum PlainEventBytes {
    static let prefix = Array(Topic.prefix.utf8)
    static let suffix = Array("/event".utf8)
    static let reservedHomes = Identifier.reservedHomes.map { Array($0.utf8) }

    /// Whether `bytes` holds `expected` from `start` on (`bytes` is long enough: the caller checked).
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to expected: [UInt8]) -> Bool {
        for index in expected.indices where bytes[start + index] != expected[index] { return false }
        return true
    }
}
