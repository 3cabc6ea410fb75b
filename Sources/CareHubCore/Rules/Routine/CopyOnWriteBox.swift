/// A value kept on the heap behind one pointer and copied only when written while shared: an optional box costs a
/// home that has no such value 8 bytes of rule state, where the value inline would cost its whole size in every home.
public struct CopyOnWriteBox<Value: Sendable & Equatable>: Sendable, Equatable {
    // @unchecked: `value` is written only through `CopyOnWriteBox.value`, which first copies a storage that is shared.
    private final class Storage: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    public init(_ value: Value) {
        storage = Storage(value)
    }

    public var value: Value {
        get { storage.value }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.value) }
            yield &storage.value
        }
    }

    public static func == (lhs: CopyOnWriteBox, rhs: CopyOnWriteBox) -> Bool {
        lhs.storage === rhs.storage || lhs.value == rhs.value
    }
}

extension CopyOnWriteBox: Codable where Value: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try Value(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}
