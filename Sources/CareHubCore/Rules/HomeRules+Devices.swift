import Foundation

/// Device health from what gateways say about devices, and from the registry.
extension HomeRules {
    /// A gateway reports a device offline (Zigbee2MQTT marks a mains device offline after 10 min plus a failed
    /// ping, a battery device after 25 h): `device_offline` at once. Online again clears it; it also counts as
    /// the device being heard, because the gateway has just heard it.
    public mutating func applyDeviceStatus(_ status: GatewayState, device: String, at instant: Int64, clock: inout LocalClock) -> [IncidentCommand] {
        var record = state.devices[device] ?? DeviceRuleState(id: device, lastSeenAt: instant, room: nil)
        var commands: [IncidentCommand] = []
        switch status {
        case .offline:
            if !record.offlineRaised || record.offlineDeferred {
                let room = record.room.map { " in the \($0)" } ?? ""
                commands.append(raise(.deviceOffline, now: instant, device: device,
                                      summary: "The gateway reports \(device)\(room) offline (last heard \(clock.dayAndTimeText(record.lastSeenAt))): check its battery and signal."))
            }
            record.offlineRaised = true
            record.offlineDeferred = false
        case .online:
            if record.offlineRaised, !record.offlineDeferred {
                commands.append(.resolve(home: home, kind: .deviceOffline, device: device,
                                         reason: "The gateway reports \(device) online again.", at: Date(millisecondsSince1970: instant)))
            }
            record.offlineRaised = false
            record.offlineDeferred = false
            record.lastSeenAt = max(record.lastSeenAt, instant)
        }
        state.devices[device] = record
        return commands
    }

    /// Forgets a device taken out of service; its open `device_offline` and `low_battery` are resolved.
    public mutating func forgetDevice(_ device: String, at instant: Int64) -> [IncidentCommand] {
        guard let record = state.devices[device] else { return [] }
        state.devices[device] = nil
        let when = Date(millisecondsSince1970: instant)
        var commands: [IncidentCommand] = []
        if record.offlineRaised, !record.offlineDeferred {
            commands.append(.resolve(home: home, kind: .deviceOffline, device: device, reason: "\(device) was removed from the registry.", at: when))
        }
        if record.lowBatteryRaised {
            commands.append(.resolve(home: home, kind: .lowBattery, device: device, reason: "\(device) was removed from the registry.", at: when))
        }
        return commands
    }
}
