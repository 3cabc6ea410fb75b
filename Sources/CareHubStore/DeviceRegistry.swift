import CareHubCore
import Foundation
import GRDB

/// The device registry (contract section 6; `carehub devices`): which devices belong to which home, under
/// which gateway name, in which room, on what power, and how often they must report. Every change is audited
/// and bumps `registry_version`, which tells the rules service to reload what it uses from here.
public struct DeviceRegistry: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// What staff say about a device. Nil fields are left as they are (or unset, for a new device).
    public struct Entry: Sendable, Equatable {
        public var home: String
        public var device: String
        public var name: String?
        public var type: EventType?
        public var room: String?
        public var power: DevicePower?
        public var offlineAfter: TimeInterval?

        public init(home: String, device: String, name: String? = nil, type: EventType? = nil, room: String? = nil,
                    power: DevicePower? = nil, offlineAfter: TimeInterval? = nil) {
            self.home = home
            self.device = device
            self.name = name
            self.type = type
            self.room = room
            self.power = power
            self.offlineAfter = offlineAfter
        }
    }

    static func bumpVersion(in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE counters SET value = value + 1 WHERE name = 'registry_version'").execute()
    }

    /// Changes whenever the registry does (including devices registered automatically).
    public func version() throws -> Int64 {
        try database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'registry_version'") ?? 0 }
    }

    /// Registers devices (creating their homes with `timeZone` when new), all or none.
    public func add(_ entries: [Entry], timeZone: String, by person: String, at now: Date, action: String = "device_add") throws {
        try database.writer.write { db in
            for entry in entries {
                try Self.validate(entry)
                try db.execute(sql: """
                    INSERT INTO homes (id, timezone, registered_at, registered_by) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """, arguments: [entry.home, timeZone, now.millisecondsSince1970, person])
                if let existing = try Row.fetchOne(db, sql: "SELECT removed_at, registered_by FROM devices WHERE home_id = ? AND id = ?",
                                                   arguments: [entry.home, entry.device]),
                   existing["removed_at"] as Int64? == nil, existing["registered_by"] as String? != "automatic" {
                    throw StoreError(.alreadyExists, "Device \(entry.device) is already registered to home \(entry.home); use `carehub devices assign` to change it.")
                }
                if let other = try String.fetchOne(db, sql: """
                    SELECT home_id FROM devices WHERE id = ? AND home_id != ? AND removed_at IS NULL AND registered_by != 'automatic'
                    """, arguments: [entry.device, entry.home]) {
                    throw StoreError(.alreadyExists, "Device \(entry.device) is registered to home \(other); move it with `carehub devices assign \(entry.home) \(entry.device)`.")
                }
                try Self.checkNameFree(entry, in: db)
                try db.execute(sql: """
                    INSERT INTO devices (home_id, id, name, type, room, power, offline_after_s, registered_at, registered_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (home_id, id) DO UPDATE SET name = COALESCE(excluded.name, name), type = COALESCE(excluded.type, type),
                        room = COALESCE(excluded.room, room), power = COALESCE(excluded.power, power),
                        offline_after_s = COALESCE(excluded.offline_after_s, offline_after_s), registered_at = excluded.registered_at,
                        registered_by = excluded.registered_by, removed_at = NULL
                    """, arguments: [entry.home, entry.device, entry.name, entry.type?.rawValue, entry.room, entry.power?.rawValue,
                                     entry.offlineAfter.map { Int64($0) }, now.millisecondsSince1970, person])
                try Self.audit(action, entry: entry, by: person, at: now, in: db)
            }
            try Self.bumpVersion(in: db)
        }
    }

    /// Changes a registered device, or moves it here from the one other home it is registered to.
    public func assign(_ entry: Entry, by person: String, at now: Date) throws {
        try database.writer.write { db in
            try Self.validate(entry)
            let here = try Bool.fetchOne(db, sql: "SELECT 1 FROM devices WHERE home_id = ? AND id = ? AND removed_at IS NULL",
                                         arguments: [entry.home, entry.device]) ?? false
            if !here {
                let homes = try String.fetchAll(db, sql: "SELECT home_id FROM devices WHERE id = ? AND removed_at IS NULL", arguments: [entry.device])
                guard homes.count == 1, let from = homes.first else {
                    throw StoreError(.notFound, homes.isEmpty
                        ? "There is no device \(entry.device); register it with `carehub devices add \(entry.home) \(entry.device)`."
                        : "There is no device \(entry.device) in home \(entry.home), and it is registered to several homes (\(homes.joined(separator: ", "))); remove it from the wrong ones first.")
                }
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM homes WHERE id = ?", arguments: [entry.home]) ?? false else {
                    throw StoreError.homeNotFound(entry.home)
                }
                try db.execute(sql: "UPDATE devices SET removed_at = ?, mapping_memory = NULL WHERE home_id = ? AND id = ?",
                               arguments: [now.millisecondsSince1970, from, entry.device])
                try db.execute(sql: """
                    INSERT INTO devices (home_id, id, name, type, room, power, offline_after_s, registered_at, registered_by)
                    SELECT ?, id, name, type, NULL, power, offline_after_s, ?, ? FROM devices WHERE home_id = ? AND id = ?
                    ON CONFLICT (home_id, id) DO UPDATE SET removed_at = NULL, registered_at = excluded.registered_at, registered_by = excluded.registered_by
                    """, arguments: [entry.home, now.millisecondsSince1970, person, from, entry.device])
                try Self.audit("device_move", entry: entry, by: person, at: now, in: db, extra: [("from", JSONText.quoted(from))])
            }
            try Self.checkNameFree(entry, in: db)
            try db.execute(sql: """
                UPDATE devices SET name = COALESCE(?, name), type = COALESCE(?, type), room = COALESCE(?, room), power = COALESCE(?, power),
                    offline_after_s = COALESCE(?, offline_after_s)
                WHERE home_id = ? AND id = ?
                """, arguments: [entry.name, entry.type?.rawValue, entry.room, entry.power?.rawValue, entry.offlineAfter.map { Int64($0) },
                                 entry.home, entry.device])
            if here { try Self.audit("device_assign", entry: entry, by: person, at: now, in: db) }
            try Self.bumpVersion(in: db)
        }
    }

    /// Takes a device out of service: its events stay, it no longer counts for device health, and with strict
    /// registration its messages are kept aside again.
    public func remove(home: String, device: String, by person: String, at now: Date) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE devices SET removed_at = ?, mapping_memory = NULL WHERE home_id = ? AND id = ? AND removed_at IS NULL",
                           arguments: [now.millisecondsSince1970, home, device])
            guard db.changesCount > 0 else {
                throw StoreError(.notFound, "There is no device \(device) in home \(home); run `carehub devices list --home \(home)` to see them.")
            }
            try Self.audit("device_remove", entry: Entry(home: home, device: device), by: person, at: now, in: db)
            try Self.bumpVersion(in: db)
        }
    }

    private static func validate(_ entry: Entry) throws {
        guard Identifier.isValid(entry.home) else { throw StoreError(.invalidInput, "The home \"\(entry.home)\" must be 1 to 64 characters of A-Z a-z 0-9 _ . -.") }
        if let problem = Identifier.homeProblem(entry.home) { throw StoreError(.invalidInput, "Not a home for devices: \(problem); give the device's real home.") }
        guard Identifier.isValid(entry.device) else { throw StoreError(.invalidInput, "The device \"\(entry.device)\" must be 1 to 64 characters of A-Z a-z 0-9 _ . -.") }
        if let name = entry.name, name.isEmpty || name.utf8.count > 255 || name.contains("+") || name.contains("#") {
            throw StoreError(.invalidInput, "The gateway name \"\(name)\" must be 1 to 255 bytes without + or #.")
        }
        if let room = entry.room, !Identifier.isValid(room) { throw StoreError(.invalidInput, "The room \"\(room)\" must be a word such as kitchen or front_door.") }
        if let seconds = entry.offlineAfter, seconds < 60 || seconds > 30 * 86_400 {
            throw StoreError(.invalidInput, "The reporting interval must be between 1 minute and 30 days.")
        }
    }

    /// A gateway name belongs to one device of a home.
    private static func checkNameFree(_ entry: Entry, in db: Database) throws {
        guard let name = entry.name else { return }
        if let holder = try String.fetchOne(db, sql: "SELECT id FROM devices WHERE home_id = ? AND name = ? AND id != ? AND removed_at IS NULL",
                                            arguments: [entry.home, name, entry.device]) {
            throw StoreError(.alreadyExists, "The gateway name \"\(name)\" already belongs to device \(holder) in home \(entry.home).")
        }
    }

    private static func audit(_ action: String, entry: Entry, by person: String, at now: Date, in db: Database, extra: [(String, String)] = []) throws {
        var members: [(String, String)] = [("device", JSONText.quoted(entry.device))]
        if let name = entry.name { members.append(("name", JSONText.quoted(name))) }
        if let type = entry.type { members.append(("type", JSONText.quoted(type.rawValue))) }
        if let room = entry.room { members.append(("room", JSONText.quoted(room))) }
        if let power = entry.power { members.append(("power", JSONText.quoted(power.rawValue))) }
        if let seconds = entry.offlineAfter { members.append(("offline_after_s", JSONText.number(seconds))) }
        try DataAudit.record(action, home: entry.home, by: person, at: now, details: JSONText.object(members + extra), in: db)
    }
}

/// How a device is powered: mains devices must report far more often (contract section 3).
public enum DevicePower: String, Sendable, CaseIterable {
    case battery, mains
}
