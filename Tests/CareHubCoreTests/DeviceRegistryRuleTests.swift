import CareHubCore
import Foundation
import Testing

/// Device health from gateways' availability reports and from the registry (power, reporting interval,
/// device class, removal), on a manual clock in Europe/London.
@Suite struct DeviceRegistryRuleTests {
    @Test func aDeviceTheGatewayReportsOfflineIsOfflineAtOnceAndClearsWhenOnline() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.event(.heartbeat, room: "lounge", device: "pendant-anna", at: "08:00")
        scenario.heartbeats(from: "08:10", to: "09:00", every: 10)
        scenario.deviceStatus(.offline, device: "pendant-anna", at: "09:05")
        let offline = scenario.allRaised.filter { $0.kind == .deviceOffline }
        #expect(offline.count == 1)
        #expect(offline.first?.at == scenario.local("09:05"))
        #expect(offline.first?.summary.contains("reports pendant-anna") == true)
        // Repeated (retained) offline reports do not raise again.
        scenario.deviceStatus(.offline, device: "pendant-anna", at: "09:06")
        #expect(scenario.allRaised.filter { $0.kind == .deviceOffline }.count == 1)
        scenario.deviceStatus(.online, device: "pendant-anna", at: "09:30")
        #expect(scenario.allResolved.map(\.kind) == [.deviceOffline])
        // Online counts as heard: the 25 h silence rule does not fire straight after.
        scenario.heartbeats(from: "09:40", to: "12:00", every: 20)
        #expect(scenario.allRaised.filter { $0.kind == .deviceOffline }.count == 1)
    }

    @Test func theRegistrysReportingIntervalReplacesThe25HourDefault() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.engine.setDeviceOverrides([scenario.home: ["pir-hall": 2 * 3600]])
        scenario.event(.motion, .boolean(true), room: "hall", device: "pir-hall", at: "08:00")
        scenario.heartbeats(from: "08:05", to: "11:00", every: 15)
        let offline = scenario.allRaised.filter { $0.kind == .deviceOffline }
        #expect(offline.map(\.at) == [scenario.local("10:00")])
    }

    @Test func mainsPowerAndDeviceClassSetTheAllowanceInThatOrder() {
        var settings = RuleSettings()
        settings.deviceClassOfflineAfter = ["motion": 3 * 3600]
        #expect(settings.registryAllowance(type: "motion", mains: false, interval: nil) == TimeInterval(10_800))
        #expect(settings.registryAllowance(type: "motion", mains: true, interval: nil) == TimeInterval(1_800))
        #expect(settings.registryAllowance(type: "motion", mains: true, interval: 600) == 600)
        #expect(settings.registryAllowance(type: "door", mains: false, interval: nil) == nil)
        #expect(settings.offlineAfter(device: "any") == 25 * 3600)
    }

    @Test func aRemovedDeviceIsForgottenAndItsHealthIncidentsResolved() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.event(.battery, .number(5), room: "hall", device: "pir-old", at: "08:00")
        scenario.deviceStatus(.offline, device: "pir-old", at: "08:10")
        #expect(Set(scenario.allRaised.map(\.kind)) == [.lowBattery, .deviceOffline])
        let commands = scenario.engine.forgetDevice(home: scenario.home, device: "pir-old", at: scenario.local("08:20"))
        #expect(commands.count == 2)
        #expect(scenario.engine.homes[scenario.home]?.state.devices["pir-old"] == nil)
        scenario.heartbeats(from: "08:30", to: "2026-12-02 08:00", every: 60)
        #expect(scenario.allRaised.filter { $0.kind == .deviceOffline }.count == 1, "a removed device is never reported silent")
    }

    @Test func healthNamesEveryProblemAndNoneForAGoodDevice() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let good = DeviceHealth(lastSeenAt: now.addingTimeInterval(-600), registeredAt: now.addingTimeInterval(-86_400), battery: 80,
                                linkQuality: 120, availability: "online", possibleLostEvents: 0, allowedSilence: 3600, lowBatteryAt: 15, now: now)
        #expect(good.isHealthy)
        let bad = DeviceHealth(lastSeenAt: now.addingTimeInterval(-7200), registeredAt: now.addingTimeInterval(-86_400), battery: 12,
                               linkQuality: 6, availability: "offline", possibleLostEvents: 3, allowedSilence: 3600, lowBatteryAt: 15, now: now)
        #expect(bad.problems == [.silent(since: now.addingTimeInterval(-7200)), .reportedOffline, .lowBattery(12), .weakLink(6), .possibleLostEvents(3)])
        let never = DeviceHealth(lastSeenAt: nil, registeredAt: now.addingTimeInterval(-7200), battery: nil, linkQuality: nil, availability: nil,
                                 possibleLostEvents: 0, allowedSilence: 3600, lowBatteryAt: 15, now: now)
        #expect(never.problems == [.silent(since: now.addingTimeInterval(-7200))], "a registered device never heard from is unhealthy")
    }
}
