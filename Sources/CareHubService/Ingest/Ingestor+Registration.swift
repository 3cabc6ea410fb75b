import CareHubCore
import CareHubStore
import Foundation

/// Whether a home and a device may report, for contract and mapped messages alike.
extension Ingestor {
    /// Whether a device may report for a home.
    enum Registration: Equatable {
        case registered
        /// Strict registration and the home or device is not in the registry.
        case unregistered
        /// Not registered in this home, but moved by staff from it to another one: a possible spoof.
        case elsewhere(home: String)
        /// Registration is automatic, but the home already has `GatewayLimits.devicesPerHome` devices.
        case overLimit
    }

    /// True when the home is (now) registered: registered here when registration is automatic. Asked once a burst.
    func homeKnown(_ home: String, receivedAt: Int64, in burst: IngestBurst) throws -> Bool {
        if let known = burst.homes[home] { return known }
        let known: Bool
        switch registration {
        case .automatic:
            try burst.transaction.registerHome(home, timeZone: defaultTimeZone, at: receivedAt)
            known = true
        case .strict:
            known = try burst.transaction.homeExists(home)
        }
        burst.homes[home] = known
        return known
    }

    /// Looks the device up, registering it when registration is automatic and its home has room for it. A device
    /// staff registered to another home is never registered here automatically. Asked once a burst: no answer
    /// changes within one (a registered device stays so, a home's device count only grows).
    func registration(of device: String, type: EventType?, room: String?, name: String? = nil, home: String, receivedAt: Int64,
                      in burst: IngestBurst) throws -> Registration {
        let key = IngestBurst.DeviceKey(home: home, device: device)
        if let known = burst.registrations[key] { return known }
        let registration = try lookUp(device, type: type, room: room, name: name, home: home, receivedAt: receivedAt, in: burst)
        burst.registrations[key] = registration
        return registration
    }

    private func lookUp(_ device: String, type: EventType?, room: String?, name: String?, home: String, receivedAt: Int64,
                        in burst: IngestBurst) throws -> Registration {
        let transaction = burst.transaction
        let homeKnown = try homeKnown(home, receivedAt: receivedAt, in: burst)
        let removed = try transaction.deviceRemoved(home: home, device: device)
        if removed == false { return .registered }
        if removed == true, let other = try transaction.homeMovedTo(device: device, name: nil, from: home) {
            return .elsewhere(home: other)
        }
        guard homeKnown, registration == .automatic else { return .unregistered }
        let count = try burst.deviceCounts[home] ?? transaction.activeDeviceCount(home: home)
        burst.deviceCounts[home] = count
        if count >= limits.devicesPerHome { return .overLimit }
        // A heartbeat or battery report says nothing of what kind of device sent it.
        let kind = type.flatMap { $0 == .heartbeat || $0 == .battery ? nil : $0 }
        try transaction.registerDevice(home: home, device: device, type: kind, room: room, name: name, at: receivedAt)
        burst.deviceCounts[home] = count + 1
        return .registered
    }

    /// A mapped message's device, found by its gateway name.
    struct ResolvedDevice {
        var id: String
        var room: String?
        var memory: DeviceMappingMemory?
        var registration: Registration
    }

    /// The registered device with this gateway name (or, failing that, whose id is the name), registering it
    /// when registration is automatic. The name is resolved once a burst; the room and the mapping's memory are
    /// the transaction's latest.
    func resolveDevice(named name: String, home: String, receivedAt: Int64, in burst: IngestBurst) throws -> ResolvedDevice {
        let key = IngestBurst.DeviceKey(home: home, device: name)
        if let known = burst.mappedDevices[key] {
            guard known.registration == .registered else { return ResolvedDevice(id: known.id, registration: known.registration) }
            return try registeredDevice(known.id, home: home, in: burst)
        }
        let transaction = burst.transaction
        var candidate = DeviceName.identifier(for: name)
        if let found = try transaction.device(named: name, orID: candidate, home: home) {
            burst.mappedDevices[key] = IngestBurst.MappedDevice(id: found, registration: .registered)
            return try registeredDevice(found, home: home, in: burst)
        }
        let resolved: ResolvedDevice
        if let other = try transaction.homeMovedTo(device: candidate, name: name, from: home) {
            resolved = ResolvedDevice(id: candidate, registration: .elsewhere(home: other))
        } else {
            if let holder = try transaction.gatewayName(home: home, device: candidate), holder != name {
                // The id is taken by a device with another gateway name: this one gets an id of its own.
                candidate = DeviceName.identifier(for: name + "\u{0}")
            }
            let registration = try registration(of: candidate, type: nil, room: nil, name: name, home: home, receivedAt: receivedAt, in: burst)
            if registration == .registered { try transaction.nameDevice(home: home, device: candidate, name: name) }
            resolved = ResolvedDevice(id: candidate, registration: registration)
        }
        burst.mappedDevices[key] = IngestBurst.MappedDevice(id: resolved.id, registration: resolved.registration)
        return resolved
    }

    /// A registered mapped device with its room and the mapping's memory of it.
    private func registeredDevice(_ id: String, home: String, in burst: IngestBurst) throws -> ResolvedDevice {
        let context = try burst.transaction.mappingContext(home: home, device: id)
        let memory = context?.mappingMemory.flatMap { try? JSONDecoder().decode(DeviceMappingMemory.self, from: Data($0.utf8)) }
        return ResolvedDevice(id: id, room: context?.room, memory: memory, registration: .registered)
    }

    /// A message claimed a device registered to another home: kept aside (by the caller) and reported as a
    /// technical incident of the home it claimed, one per device while open.
    func reportPossibleSpoof(home: String, device: String, registeredTo other: String, receivedAt: Int64, in burst: IngestBurst) throws {
        let summary = "Messages for this home claim to come from device \(device), which is registered to home \(other): "
            + "a possible spoof, or a device moved without updating the registry (carehub devices assign). They are kept aside, not used."
        try burst.transaction.raise(IncidentDraft(home: home, kind: .dataFault, device: device, summary: summary,
                                                  at: Date(millisecondsSince1970: receivedAt), flags: [.registeredElsewhere]),
                                    at: receivedAt)
    }

    func deviceLimitReason(home: String) -> RefusalReason {
        .quota("home \(home) already has \(limits.devicesPerHome) devices, the most registered automatically")
    }

    /// A new device past its home's device limit: kept as length and SHA-256, and reported once a day.
    func keepOverDeviceLimit(_ refused: RefusedMessage, dialect: String, receivedAt: Int64, in burst: IngestBurst) throws -> IngestOutcome {
        try keepOverLimit(refused, sender: GatewaySender(dialect: dialect, home: refused.home), limit: .devices, at: receivedAt, in: burst)
        return .refused(code: "quota")
    }
}
