import CareHubCore
import Foundation
import GRDB

/// What an erasure of one home must find beyond the rows under its id: its incidents (and the stand-in home's
/// incidents raised by its devices), and the names its devices go by where a message carried no home.
struct ErasureScope {
    /// Incident ids, as an SQL list (`0` when there are none: no incident has id 0).
    let incidentList: String
    /// Device ids under `_unassigned` that are this home's devices and no other home's, as a JSON array.
    let strayDeviceList: String
    /// Gateway names and ids of this home's devices that no other home uses, as a JSON array (refused messages
    /// with no home carry the gateway's name).
    let gatewayNameList: String

    init(home: String, in db: Database) throws {
        var mine: Set<String> = []
        var names: Set<String> = []
        var others: Set<String> = []
        for row in try Row.fetchAll(db, sql: "SELECT home_id, id, name FROM devices") {
            let id: String = row["id"]
            let name: String? = row["name"]
            let identifiers = [id] + (name.map { [$0, DeviceName.identifier(for: $0)] } ?? [])
            if row["home_id"] as String == home {
                mine.formUnion(identifiers)
                names.insert(id)
                if let name { names.insert(name) }
            } else {
                others.formUnion(identifiers)
            }
        }
        let strays = mine.subtracting(others).sorted()
        let gatewayNames = names.subtracting(others).sorted()
        strayDeviceList = "[" + strays.map(JSONText.quoted).joined(separator: ",") + "]"
        gatewayNameList = "[" + gatewayNames.map(JSONText.quoted).joined(separator: ",") + "]"
        let incidents = try Int64.fetchAll(db, sql: """
            SELECT id FROM incidents WHERE home_id = ? OR (home_id = ? AND device_id IN (SELECT value FROM json_each(?)))
            """, arguments: [home, SensorEvent.unassignedHome, strayDeviceList])
        incidentList = incidents.isEmpty ? "0" : incidents.map(String.init).joined(separator: ",")
    }
}
