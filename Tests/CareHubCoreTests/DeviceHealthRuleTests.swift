import CareHubCore
import Foundation
import Testing

/// `device_offline`, `low_battery`, `gateway_offline` (contract section 3), on a manual clock.
@Suite struct DeviceHealthRuleTests {
    func resolvedKinds(_ scenario: RuleScenario) -> [IncidentKind] { scenario.allResolved.map(\.kind) }

    @Test func aDeviceSilentFor25HoursWhileTheHomeReportsIsOffline() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.event(.heartbeat, room: "bathroom", device: "pir-bathroom", at: "08:30")
        for day in ["2026-11-30", "2026-12-01"] {
            for hour in stride(from: 8, through: 22, by: 2) { scenario.motion("kitchen", at: "\(day) \(hour):00") }
            scenario.heartbeats(from: "\(day) 22:30", to: day == "2026-11-30" ? "2026-12-01 07:30" : "2026-12-01 23:00", every: 60)
        }
        let offline = scenario.allRaised.filter { $0.kind == .deviceOffline }
        #expect(offline.count == 1)
        #expect(offline.first?.at == scenario.local("2026-12-01 09:30"))
        #expect(offline.first?.summary.contains("pir-bathroom") == true)
        scenario.event(.heartbeat, room: "bathroom", device: "pir-bathroom", at: "2026-12-01 23:10")
        #expect(resolvedKinds(scenario).contains(.deviceOffline))
    }

    @Test func aMainsPoweredDeviceIsOfflineAfterHalfAnHour() {
        var settings = RuleSettings()
        settings.mainsPoweredDevices = ["plug-kettle"]
        var scenario = RuleScenario(start: "2026-11-30 08:00", settings: settings)
        scenario.event(.power, .number(0), room: "kitchen", device: "plug-kettle", at: "08:00")
        scenario.heartbeats(from: "08:05", to: "09:00", every: 5)
        #expect(scenario.allRaised.map(\.kind) == [.deviceOffline])
        #expect(scenario.allRaised.first?.at == scenario.local("08:30"))
    }

    @Test func aWholeSilentHomeIsOneNoDataNotAnIncidentPerDevice() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        for device in ["pir-kitchen", "pir-hall", "pir-lounge", "door-front"] {
            scenario.event(.heartbeat, room: "hall", device: device, at: "08:10")
        }
        scenario.motion("kitchen", at: "09:00")
        scenario.run(until: "2026-12-02 12:00")
        #expect(scenario.allRaised.map(\.kind) == [.noData], "raised \(scenario.allRaised.map(\.kind))")
        scenario.heartbeats(from: "2026-12-02 12:10", to: "2026-12-02 12:40", every: 10)
        #expect(scenario.allRaised.filter { $0.kind == .deviceOffline }.count == 4, "devices still silent once data is back are named")
    }

    @Test func lowBatteryAtFifteenPercentClearsAboveIt() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.event(.battery, .number(16), room: "hall", device: "pir-hall", at: "08:00")
        #expect(scenario.allRaised.isEmpty)
        scenario.event(.battery, .number(15), room: "hall", device: "pir-hall", at: "09:00")
        scenario.event(.battery, .number(14), room: "hall", device: "pir-hall", at: "10:00")
        #expect(scenario.allRaised.map(\.kind) == [.lowBattery])
        #expect(scenario.allRaised.first?.summary.contains("15 %") == true)
        scenario.event(.battery, .number(100), room: "hall", device: "pir-hall", at: "11:00")
        #expect(resolvedKinds(scenario) == [.lowBattery])
    }

    @Test func aGatewayOfflineForFiveMinutesAndBackOnline() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("kitchen", at: "08:00")
        scenario.gateway(.offline, at: "08:10")
        scenario.run(until: "08:14")
        #expect(scenario.allRaised.isEmpty)
        scenario.run(until: "08:16")
        #expect(scenario.allRaised.map(\.kind) == [.gatewayOffline])
        #expect(scenario.allRaised.first?.at == scenario.local("08:15"))
        scenario.gateway(.online, at: "08:40")
        #expect(resolvedKinds(scenario) == [.gatewayOffline])

        var blip = RuleScenario(start: "2026-11-30 08:00")
        blip.gateway(.offline, at: "08:10")
        blip.gateway(.online, at: "08:12")
        blip.run(until: "08:30")
        #expect(blip.allRaised.isEmpty)
    }
}
