import CareHubCore
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// Who did it (issue 11, item 10): every staff action records the operating-system user beside the typed name,
/// and the command line's writes are durable whatever the hub's own `synchronous` setting.
@Suite struct AuditTrailTests {
    @Test func everyStaffActionRecordsTheOperatingSystemUserBesideTheTypedName() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let registry = DeviceRegistry(database: fixture.database)
        try registry.add([.init(home: "flat-1", device: "pir-1"), .init(home: "flat-2", device: "pir-2")], timeZone: "Europe/London",
                         by: "Sam", at: fixture.now)
        try registry.assign(.init(home: "flat-1", device: "pir-1", room: "hall"), by: "Sam", at: fixture.now)
        try registry.remove(home: "flat-1", device: "pir-1", by: "Sam", at: fixture.now)
        try HomeModeStore(database: fixture.database).set(home: "flat-1", holidayUntil: fixture.now.addingTimeInterval(86_400), visitUntil: nil,
                                                         by: "Sam", at: fixture.now)
        try RulesStore(database: fixture.database).apply([.raise(IncidentDraft(home: "flat-1", kind: .pendant, device: "p-1", summary: "Pendant",
                                                                               at: fixture.now, triggerEventID: "e1"))],
                                                        checkpoint: 1, at: fixture.now)
        let incidents = IncidentStore(database: fixture.database)
        _ = try incidents.acknowledge(1, by: "Sam", note: "On my way", at: fixture.now)
        _ = try incidents.note(1, by: "Sam", text: "Arrived", at: fixture.now)
        _ = try incidents.assign(1, to: "Jo", by: "Sam", at: fixture.now)
        _ = try incidents.resolve(1, by: "Sam", outcome: .residentOK, note: nil, at: fixture.now)
        let privacy = PrivacyStore(database: fixture.database)
        _ = try privacy.purge(before: fixture.now, by: "DPO", at: fixture.now)
        _ = try privacy.erase(home: "flat-2", by: "DPO", at: fixture.now)

        let user = OperatingSystemUser.current
        #expect(user.hasPrefix(String(cString: getpwuid(geteuid()).pointee.pw_name)))
        let entries = try AuditQueries(database: fixture.database).list(home: nil, since: nil, limit: 100)
        let staff = entries.filter { $0.actor != "carehub" }
        #expect(Set(staff.map(\.action)) == ["device_add", "device_assign", "device_remove", "away", "acknowledged", "note", "assigned",
                                             "resolved", "purge", "erase"])
        #expect(staff.allSatisfy { $0.osUser == user }, "\(staff.filter { $0.osUser != user })")
    }

    @Test func sudoIsRecordedAsWhatItSaidBesideTheEffectiveUser() {
        #expect(OperatingSystemUser.describe(effectiveUser: "root", sudoUser: "sam") == "root (sudo from sam)")
        #expect(OperatingSystemUser.describe(effectiveUser: "sam", sudoUser: nil) == "sam")
        #expect(OperatingSystemUser.describe(effectiveUser: "sam", sudoUser: "sam") == "sam")
        #expect(OperatingSystemUser.describe(effectiveUser: "root", sudoUser: "e\u{1B}[2Jvil\n") == "root (sudo from e[2Jvil)")
    }

    @Test func commandLineWritesAreSynchronousFullWhateverTheHubUses() throws {
        let fixture = try StoreFixture(synchronous: .normal)
        defer { fixture.directory.remove() }
        let hubMode = try fixture.database.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(hubMode == 1)
        let commandLine = try HubDatabase.openExisting(path: fixture.path, readOnly: false)
        let mode = try commandLine.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(mode == 2, "synchronous is \(mode ?? -1), not FULL (2)")
    }
}
