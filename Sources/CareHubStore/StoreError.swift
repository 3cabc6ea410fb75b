/// A database problem, said in one sentence with what to do about it.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    public static func missing(_ path: String) -> StoreError {
        StoreError("No CareHub database at \(path); start the hub with `carehub serve --db \(path)` to create one, or pass --db or --config.")
    }
    public static func unreadable(_ path: String, _ detail: String) -> StoreError {
        StoreError("The database at \(path) cannot be read (\(detail)); check its permissions, then run `carehub db check --db \(path)` or restore from a backup.")
    }
    public static func notWritable(_ path: String, _ detail: String) -> StoreError {
        StoreError("The database at \(path) is not writable (\(detail)); free disk space or fix permissions, then restart the hub.")
    }
    public static func newerSchema(_ path: String) -> StoreError {
        StoreError("The database at \(path) was written by a newer CareHub; upgrade this program before using it.")
    }
    public static func incidentNotFound(_ id: Int64) -> StoreError {
        StoreError("There is no incident \(id); run `carehub incidents list --state all` to see them.")
    }
}

/// Acknowledging or resolving an incident that someone else already acted on.
public struct IncidentConflict: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
}
