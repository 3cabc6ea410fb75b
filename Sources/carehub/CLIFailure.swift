import CareHubService
import CareHubStore

/// The stable exit statuses of `carehub` (documented in `--help`).
enum CLIExit: Int32 {
    case failure = 1
    case databaseUnavailable = 3
    case conflict = 4
    case notFound = 5
}

/// An error as the command line reports it: one sentence and an exit status.
struct CLIFailure: Error {
    var message: String
    var exitCode: CLIExit

    init(_ message: String, exitCode: CLIExit = .failure) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Maps the errors of the libraries below by their kind, never by their text; nil for argument-parsing
    /// errors, which ArgumentParser reports.
    init?(_ error: any Error) {
        switch error {
        case let error as StoreError:
            self.init(error.message, exitCode: CLIExit(error.kind))
        case let error as IncidentConflict:
            self.init(error.message, exitCode: CLIExit(error.kind))
        case let error as ConfigurationError:
            self.init(error.message)
        default:
            return nil
        }
    }
}

extension CLIExit {
    /// The exit status for a kind of store error: 3 when the database cannot be used, 4 when someone else acted
    /// first, 5 when the incident, home or device does not exist, 1 for anything else.
    init(_ kind: ErrorKind) {
        switch kind {
        case .databaseMissing, .databaseUnreadable, .databaseNotWritable: self = .databaseUnavailable
        case .conflict: self = .conflict
        case .notFound: self = .notFound
        default: self = .failure
        }
    }
}
