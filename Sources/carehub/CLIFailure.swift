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

    /// Maps the errors of the libraries below; nil for argument-parsing errors, which ArgumentParser reports.
    init?(_ error: any Error) {
        switch error {
        case let error as StoreError:
            let notFound = error.message.hasPrefix("There is no")
            let usage = error.message.hasSuffix("already exists; choose a new file name for the backup.")
            if usage {
                self.init(error.message, exitCode: .failure)
                return
            }
            self.init(error.message, exitCode: notFound ? .notFound : .databaseUnavailable)
        case let error as IncidentConflict:
            self.init(error.message, exitCode: .conflict)
        case let error as ConfigurationError:
            self.init(error.message)
        default:
            return nil
        }
    }
}
