/// What kind of problem a `StoreError` or an `IncidentConflict` is, for code that must decide what to do
/// (the command line's exit status); the error's message is for people and may be reworded freely.
///
/// ```swift
/// catch let error as StoreError where error.kind == .notFound { … }
/// ```
///
/// A struct over a private enum, so that kinds can be added without breaking a `switch` elsewhere.
public struct ErrorKind: Sendable, Hashable, CustomStringConvertible {
    private enum Base: String, Sendable, Hashable {
        case databaseMissing = "database missing"
        case databaseUnreadable = "database unreadable"
        case databaseNotWritable = "database not writable"
        case notFound = "not found"
        case conflict = "conflict"
        case alreadyExists = "already exists"
        case invalidInput = "invalid input"
        case failed = "failed"
    }

    private let base: Base

    private init(_ base: Base) {
        self.base = base
    }

    /// No database at the path given.
    public static let databaseMissing = ErrorKind(.databaseMissing)
    /// The file cannot be read as a CareHub database of this version: permissions, damage, not a CareHub
    /// database, or a schema this program cannot use as it is.
    public static let databaseUnreadable = ErrorKind(.databaseUnreadable)
    /// The database cannot be written: permissions, a full disk, a missing directory.
    public static let databaseNotWritable = ErrorKind(.databaseNotWritable)
    /// No such incident, home or device.
    public static let notFound = ErrorKind(.notFound)
    /// Someone else already acted on the incident (acknowledged or resolved it first).
    public static let conflict = ErrorKind(.conflict)
    /// What was to be created exists already: a backup file, a device registered to a home, a gateway name in use.
    public static let alreadyExists = ErrorKind(.alreadyExists)
    /// A value given is not acceptable (an identifier's characters, a room, an interval).
    public static let invalidInput = ErrorKind(.invalidInput)
    /// The operation was tried and did not complete (a backup, emptying the write-ahead log).
    public static let failed = ErrorKind(.failed)

    public var description: String { base.rawValue }
}
