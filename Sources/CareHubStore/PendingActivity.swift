import GRDB

/// What one ingest transaction has to say about its devices' and homes' activity, gathered in memory and
/// written once at its end, in the same transaction (`IngestTransaction.run`): a burst of 200 readings from
/// one home updates its home row once instead of 200 times, and each device's row once. Also notes the refused
/// rows the transaction kept, so that a gateway's daily limits look only at those.
///
/// **Threads.** Lives on the thread that holds the transaction, for that transaction only.
final class PendingActivity {
    struct DeviceKey: Hashable {
        var home: String
        var device: String
    }

    /// Devices read so far, nil for one the home does not have (nothing is noted on it).
    private var devices: [DeviceKey: DeviceActivity?] = [:]
    /// When each home's gateway last sent a message, in this transaction.
    private var homes: [String: Int64] = [:]
    /// The row numbers of the refused rows kept, in order.
    private(set) var keptRefusals: [Int64] = []

    /// The device's row as this transaction has it (read once); nil when the home has no such device.
    func activity(home: String, device: String, in db: Database) throws -> DeviceActivity? {
        let key = DeviceKey(home: home, device: device)
        if let known = devices[key] { return known }
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(DeviceActivity.columns) FROM devices WHERE home_id = ? AND id = ?"),
                                   arguments: [home, device])
        let activity = row.map(DeviceActivity.init(row:))
        devices[key] = .some(activity)
        return activity
    }

    /// Changes the device's row (nothing when the home has no such device).
    func update(home: String, device: String, in db: Database, _ change: (inout DeviceActivity) -> Void) throws {
        guard var activity = try activity(home: home, device: device, in: db) else { return }
        change(&activity)
        devices[DeviceKey(home: home, device: device)] = .some(activity)
    }

    /// The device's row was created (or put back in service): it is read again when next needed.
    func rowCreated(home: String, device: String) {
        let key = DeviceKey(home: home, device: device)
        if case .some(.none) = devices[key] { devices[key] = nil }
    }

    func noteHomeMessage(_ home: String, at millis: Int64) {
        homes[home] = millis
    }

    func noteKeptRefusal(_ seq: Int64) {
        keptRefusals.append(seq)
    }

    /// Writes every changed row, once.
    func flush(in db: Database) throws {
        for (key, activity) in devices {
            guard let activity, activity.changed else { continue }
            try activity.write(home: key.home, device: key.device, in: db)
        }
        for (home, millis) in homes {
            try db.cachedStatement(sql: "UPDATE homes SET last_message_at = ? WHERE id = ?").execute(arguments: [millis, home])
        }
        devices = [:]
        homes = [:]
    }
}
