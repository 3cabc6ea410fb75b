import ArgumentParser
import CareHubService
import CareHubStore

/// `--config FILE` and `--db PATH`, shared by every command that touches the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The hub's YAML configuration file.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("The SQLite database (overrides the configuration; default ./var/carehub.sqlite).", valueName: "path"))
    var db: String?

    func configuration() throws -> HubConfiguration {
        var configuration = try config.map(HubConfiguration.load(path:)) ?? HubConfiguration()
        if let db { configuration.database.path = db }
        return configuration
    }

    /// Opens the database, creating it when missing: for registering homes and devices before the hub first runs.
    /// Command-line writes are `synchronous=FULL` whatever the hub's own setting (`database.synchronous`).
    func openCreating() throws -> (HubDatabase, HubConfiguration) {
        let configuration = try configuration()
        return (try HubDatabase.openForHub(path: configuration.database.path, synchronous: .full), configuration)
    }

    /// Opens the existing database; never creates one.
    func open(readOnly: Bool) throws -> (HubDatabase, HubConfiguration) {
        let configuration = try configuration()
        return (try HubDatabase.openExisting(path: configuration.database.path, readOnly: readOnly), configuration)
    }
}
