import ArgumentParser
import CareHubHTTP
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

extension AccountRole: ExpressibleByArgument {}

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Accounts for the console and the API: add, issue tokens, revoke, list.",
        discussion: """
            Roles: carer (sees everything; acknowledges, notes and resolves incidents), lead (also assigns incidents and
            sets homes away, visiting or back), admin (also manages accounts and devices). Each change is recorded in
            the audit (`carehub audit list`) under the operating-system user who made it.

            Examples:
              carehub users add "Sam Patel" --role admin --password-file ./sam.pw
              carehub users token "Sam Patel" > sam.token
              carehub users revoke "Sam Patel"
              carehub users list
            """,
        subcommands: [UsersAddCommand.self, UsersTokenCommand.self, UsersRevokeCommand.self, UsersListCommand.self]
    )
}

struct UsersAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create an account (creates or upgrades the database like `serve`).",
        discussion: """
            The password is read from a file (its final newline is not part of it) and must be at least 12 characters;
            only a salted bcrypt hash of it is stored.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The account's name, as the audit will show it (1 to 64 characters).") var name: String
    @Option(help: "carer, lead or admin.") var role: AccountRole
    @Option(help: ArgumentHelp("A file holding the password.", valueName: "file")) var passwordFile: String

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: passwordFile), let text = String(data: data, encoding: .utf8) else {
            throw CLIFailure("Cannot read the password file \(passwordFile); check the path and its permissions.")
        }
        let (db, _) = try database.openCreating()
        let account = try AccountAdministration(database: db).add(name: name, role: role, password: AccountAdministration.password(fromFileText: text),
                                                                  by: OperatingSystemUser.current)
        print("Account \(account.name) (\(account.role.rawValue)) created.")
    }
}

struct UsersTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a new API token for an account, once: only its hash is kept.",
        discussion: "Use it as `Authorization: Bearer TOKEN`. `carehub users revoke NAME` ends it with the account."
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The account's name.") var name: String

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        print(try AccountAdministration(database: db).issueToken(name: name, by: OperatingSystemUser.current))
    }
}

struct UsersRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Disable an account: it can no longer sign in, and its tokens and sessions end at once.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The account's name.") var name: String

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        try AccountStore(database: db).revoke(name: name, by: OperatingSystemUser.current, at: Date())
        print("Account \(name) revoked; its tokens and sessions no longer work.")
    }
}

struct UsersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Accounts and their roles; never passwords or tokens.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone)
        printer.printList(try AccountStore(database: db).list().map(OutputRecord.init(account:)), empty: "No accounts yet; add one with `carehub users add`.")
    }
}
