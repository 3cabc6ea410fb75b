extension Topic {
    /// The home and device of a well-formed event topic (`carehub/v1/<home>/<device>/event`, neither part
    /// reserved nor invalid), read in place without splitting the topic; nil for anything else, which
    /// `parse` must then judge and word. Used by the decoder's fast path.
    static func plainEvent(_ topic: String) -> (home: String, device: String)? {
        topic.utf8.withContiguousStorageIfAvailable { bytes -> (home: String, device: String)? in
            let prefix = Self.prefix.utf8
            let suffix = "/event".utf8
            guard bytes.count > prefix.count + suffix.count, bytes.starts(with: prefix),
                  bytes[(bytes.count - suffix.count)...].elementsEqual(suffix)
            else { return nil }
            let middle = UnsafeBufferPointer(rebasing: bytes[prefix.count..<(bytes.count - suffix.count)])
            guard let slash = middle.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            let home = UnsafeBufferPointer(rebasing: middle[..<slash])
            let device = UnsafeBufferPointer(rebasing: middle[(slash + 1)...])
            // Identifier.isValid also refuses a second "/" in the device.
            guard Identifier.isValid(utf8: home), Identifier.isValid(utf8: device) else { return nil }
            // Compared in place, as `Identifier.homeProblem` does: no hashing for every message.
            guard !Identifier.reservedHomes.contains(where: { $0.utf8.elementsEqual(home) }) else { return nil }
            return (String(decoding: home, as: UTF8.self), String(decoding: device, as: UTF8.self))
        } ?? nil
    }
}
