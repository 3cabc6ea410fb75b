import CareHubCore
import Foundation
import Testing

/// A device's saved rule state is a short array (start-up decodes every home's devices), and the keyed object that
/// earlier versions saved is still read: an upgrade must never turn a saved state into an undecodable one.
@Suite struct DeviceRuleStateCodingTests {
    static func device(_ body: (inout DeviceRuleState) -> Void = { _ in }) -> DeviceRuleState {
        var device = DeviceRuleState(id: "temp-lounge", lastSeenAt: 1_796_000_000_000, room: "lounge")
        body(&device)
        return device
    }

    @Test(arguments: [
        ("a plain device", device()),
        ("no room", DeviceRuleState(id: "pir-1", lastSeenAt: 5, room: nil)),
        ("a reading", device { $0.lastReading = 14.5 }),
        ("cold", device { $0.lastReading = 11; $0.coldSince = 1_796_000_100_000 }),
        ("hot, no reading", device { $0.hotSince = 7 }),
        ("every flag", device { $0.offlineRaised = true; $0.offlineDeferred = true; $0.lowBatteryRaised = true }),
        ("one flag and no room", DeviceRuleState(id: "x", lastSeenAt: 1, room: nil).with { $0.lowBatteryRaised = true }),
    ])
    func aDeviceComesBackAsItWasSaved(_ name: String, _ device: DeviceRuleState) throws {
        let saved = try JSONEncoder().encode(device)
        #expect(try JSONDecoder().decode(DeviceRuleState.self, from: saved) == device, "\(name): \(String(decoding: saved, as: UTF8.self))")
    }

    @Test func aPlainDeviceIsSavedAsThreeValues() throws {
        #expect(String(decoding: try JSONEncoder().encode(Self.device()), as: UTF8.self) == #"["temp-lounge",1796000000000,"lounge"]"#)
    }

    @Test func theKeyedObjectOfEarlierVersionsIsStillRead() throws {
        let earlier = #"{"id":"temp-lounge","room":"lounge","lastSeenAt":1796000000000,"lastReading":11,"coldSince":1796000100000,"lowBatteryRaised":true}"#
        let device = try JSONDecoder().decode(DeviceRuleState.self, from: Data(earlier.utf8))
        #expect(device == Self.device { $0.lastReading = 11; $0.coldSince = 1_796_000_100_000; $0.lowBatteryRaised = true })
        let home = #"{"firstSeenAt":1,"raised":0,"bedOccupied":false,"hasFridgeSensor":false,"notUpCheckedThrough":1,"devices":[\#(earlier)]}"#
        #expect(try JSONDecoder().decode(HomeRuleState.self, from: Data(home.utf8)).devices["temp-lounge"] == device)
    }
}

extension DeviceRuleState {
    fileprivate func with(_ body: (inout DeviceRuleState) -> Void) -> DeviceRuleState {
        var copy = self
        body(&copy)
        return copy
    }
}
