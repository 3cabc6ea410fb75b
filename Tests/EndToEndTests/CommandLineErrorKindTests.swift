import CareHubCore
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// Every kind of store error the command line tells apart, through the built `carehub`: its exit status (chosen
/// by the error's kind, never its wording) and its one sentence on standard error.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CommandLineErrorKindTests {
    /// A database with one open pendant incident (id 1) in home flat-1, and device pir-1 registered to flat-2.
    func withDatabase(_ body: (String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "carehub-cli-kinds")
        defer { directory.remove() }
        let path = directory.path("carehub.sqlite")
        let database = try HubDatabase.openForHub(path: path)
        let at = Date()
        _ = try RulesStore(database: database).apply(
            [.raise(IncidentDraft(home: "flat-1", kind: .pendant, device: "pendant-1", summary: "Pendant pressed", at: at))], checkpoint: 0, at: at)
        try DeviceRegistry(database: database).add([DeviceRegistry.Entry(home: "flat-2", device: "pir-1", type: .motion)],
                                                   timeZone: "Europe/London", by: "Sam", at: at)
        try await body(path)
    }

    func expectFailure(_ arguments: [String], status: Int32, sentence: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let result = try await CarehubCommand.run(arguments)
        #expect(result.status == status, "\(arguments): \(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardError.hasPrefix("carehub: \(sentence)"), "\(arguments): \(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardError.split(separator: "\n").count == 1, "one sentence, one line", sourceLocation: sourceLocation)
    }

    @Test func aMissingOrForeignDatabaseExits3() async throws {
        let directory = try TemporaryDirectory(prefix: "carehub-cli-kinds")
        defer { directory.remove() }
        let missing = directory.path("missing.sqlite")
        try await expectFailure(["incidents", "list", "--db", missing], status: 3, sentence: "No CareHub database at \(missing);")
        let foreign = directory.path("foreign.sqlite")
        let other = try DatabaseQueue(path: foreign)
        try other.inDatabase { try $0.execute(sql: "CREATE TABLE notes (text TEXT)") }
        try other.close()
        try await expectFailure(["status", "--db", foreign], status: 3, sentence: "The file at \(foreign) is not a CareHub database;")
    }

    @Test func anUnknownIncidentHomeOrDeviceExits5() async throws {
        try await withDatabase { path in
            try await expectFailure(["incidents", "show", "99", "--db", path], status: 5,
                                    sentence: "There is no incident 99; run `carehub incidents list --state all` to see them.")
            try await expectFailure(["homes", "show", "flat-404", "--db", path], status: 5,
                                    sentence: "There is no home flat-404; run `carehub homes list` to see them.")
            try await expectFailure(["devices", "remove", "flat-2", "pir-404", "--by", "Sam", "--db", path], status: 5,
                                    sentence: "There is no device pir-404 in home flat-2;")
        }
    }

    @Test func someoneElseActingFirstExits4() async throws {
        try await withDatabase { path in
            #expect(try await CarehubCommand.run(["incidents", "ack", "1", "--by", "Sam", "--db", path]).status == 0)
            try await expectFailure(["incidents", "ack", "1", "--by", "Jo", "--db", path], status: 4, sentence: "Incident 1 was already acknowledged by Sam at ")
        }
    }

    /// These exited 3 ("database missing or unreadable") while the command line matched on message text.
    @Test func aClashOrABadValueIsAnErrorOfItsOwnNotAnUnreadableDatabase() async throws {
        try await withDatabase { path in
            try await expectFailure(["devices", "add", "flat-1", "pir-1", "--by", "Sam", "--db", path], status: 1,
                                    sentence: "Device pir-1 is registered to home flat-2; move it with `carehub devices assign flat-1 pir-1`.")
            try await expectFailure(["devices", "add", "flat-1", "pir 1!", "--by", "Sam", "--db", path], status: 1,
                                    sentence: "The device \"pir 1!\" must be 1 to 64 characters of A-Z a-z 0-9 _ . -.")
            let directory = try TemporaryDirectory(prefix: "carehub-cli-kinds")
            defer { directory.remove() }
            let backup = directory.path("backup.sqlite")
            #expect(try await CarehubCommand.run(["db", "backup", backup, "--db", path]).status == 0)
            try await expectFailure(["db", "backup", backup, "--db", path], status: 1,
                                    sentence: "\(backup) already exists; choose a new file name for the backup.")
        }
    }
}
