import CareHubCore
import Foundation
import GRDB

/// The registry as ingest sees it: homes and devices looked up, and registered when the `Ingestor` decides so.
extension IngestTransaction {
    /// Registers `home` automatically (nothing happens when it exists).
    public func registerHome(_ home: String, timeZone: String, at millis: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO homes (id, timezone, registered_at, registered_by) VALUES (?, ?, ?, 'automatic')
            ON CONFLICT (id) DO NOTHING
            """).execute(arguments: [home, timeZone, millis])
    }

    public func homeExists(_ home: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM homes WHERE id = ?"), arguments: [home]) ?? false
    }

    /// Whether the device's row in `home` is removed; nil when the home never had it.
    public func deviceRemoved(home: String, device: String) throws -> Bool? {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT removed_at IS NOT NULL FROM devices WHERE home_id = ? AND id = ?"),
                          arguments: [home, device])
    }

    /// The home staff moved this device (by id, or by gateway `name`) to from `home` (`carehub devices assign`), if
    /// they did. Device ids are unique within a home only, and gateway names within a gateway: the same id or name
    /// in another home is another device unless the registry says this one left this home for that one.
    public func homeMovedTo(device: String, name: String?, from home: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT there.home_id FROM devices AS here JOIN devices AS there ON there.id = here.id AND there.home_id != here.home_id
            WHERE here.home_id = ? AND here.removed_at IS NOT NULL AND (here.id = ? OR here.name = ?)
              AND there.removed_at IS NULL AND there.registered_by != 'automatic'
            LIMIT 1
            """), arguments: [home, device, name])
    }

    /// How many devices `home` has in service.
    public func activeDeviceCount(home: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM devices WHERE home_id = ? AND removed_at IS NULL"),
                         arguments: [home]) ?? 0
    }

    /// Registers a device automatically (or puts a removed one back in service), and bumps the registry's version.
    public func registerDevice(home: String, device: String, type: EventType?, room: String?, name: String?, at millis: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO devices (home_id, id, type, room, name, registered_at, registered_by) VALUES (?, ?, ?, ?, ?, ?, 'automatic')
            ON CONFLICT (home_id, id) DO UPDATE SET removed_at = NULL
            """).execute(arguments: [home, device, type?.rawValue, room, name, millis])
        pending.rowCreated(home: home, device: device)
        try DeviceRegistry.bumpVersion(in: db)
    }

    /// Gives a device its gateway name, unless it has one.
    public func nameDevice(home: String, device: String, name: String) throws {
        try db.cachedStatement(sql: "UPDATE devices SET name = COALESCE(name, ?) WHERE home_id = ? AND id = ?").execute(arguments: [name, home, device])
    }

    /// The id of the device in service whose gateway name is `name`, or failing that, of an unnamed one whose id is `id`.
    public func device(named name: String, orID id: String, home: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT id FROM devices
            WHERE home_id = ? AND removed_at IS NULL AND (name = ? OR (name IS NULL AND id = ?))
            ORDER BY name IS NULL LIMIT 1
            """), arguments: [home, name, id])
    }

    /// What a mapped message needs of its device: its room, and what the mapping remembered of it.
    public struct MappingContext: Sendable, Equatable {
        public var room: String?
        /// What the mapping remembered of the device (`DeviceMappingMemory`), as it was stored.
        public var mappingMemory: String?
    }

    /// The device's room and mapping memory as this transaction has them; nil when the home has no such device.
    public func mappingContext(home: String, device: String) throws -> MappingContext? {
        try pending.activity(home: home, device: device, in: db).map { MappingContext(room: $0.room, mappingMemory: $0.mappingMemory) }
    }

    /// The gateway name of the device `device` of `home`, when it has one.
    public func gatewayName(home: String, device: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM devices WHERE home_id = ? AND id = ? AND name IS NOT NULL"),
                            arguments: [home, device])
    }
}
