/// A database problem, said in one sentence with what to do about it, and its `kind` for code that decides
/// by it (the command line's exit status). Code never matches on the message.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public let kind: ErrorKind
    public let message: String

    public init(_ kind: ErrorKind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func missing(_ path: String) -> StoreError {
        StoreError(.databaseMissing, "No CareHub database at \(path); start the hub with `carehub serve --db \(path)` to create one, or pass --db or --config.")
    }
    public static func unreadable(_ path: String, _ detail: String) -> StoreError {
        StoreError(.databaseUnreadable, "The database at \(path) cannot be read (\(detail)); check its permissions, then run `carehub db check --db \(path)` or restore from a backup.")
    }
    public static func notWritable(_ path: String, _ detail: String) -> StoreError {
        StoreError(.databaseNotWritable, "The database at \(path) is not writable (\(detail)); free disk space or fix permissions, then restart the hub.")
    }
    public static func newerSchema(_ path: String) -> StoreError {
        StoreError(.databaseUnreadable, "The database at \(path) was written by a newer CareHub; upgrade this program before using it.")
    }
    public static func incidentNotFound(_ id: Int64) -> StoreError {
        StoreError(.notFound, "There is no incident \(id); run `carehub incidents list --state all` to see them.")
    }
    public static func homeNotFound(_ home: String) -> StoreError {
        StoreError(.notFound, "There is no home \(home); run `carehub homes list` to see them.")
    }
}

/// Acknowledging, resolving or assigning an incident that someone else already acted on; its kind is `conflict`.
public struct IncidentConflict: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public var kind: ErrorKind { .conflict }
    public var description: String { message }
}
