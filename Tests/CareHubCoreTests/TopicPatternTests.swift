import CareHubCore
import Testing

/// Mapping topic patterns: captures, multi-level friendly names, and the subscription filters they imply.
@Suite struct TopicPatternTests {
    @Test func aMultiLevelDeviceCaptureTakesEverythingBetweenTheFixedLevels() throws {
        let pattern = try TopicPattern("z2m/{home}/{device...}/availability")
        #expect(pattern.match("z2m/anna-1/hall/motion/availability") == .init(home: "anna-1", device: "hall/motion"))
        #expect(pattern.match("z2m/anna-1/Detecteur mouvement/availability") == .init(home: "anna-1", device: "Detecteur mouvement"))
        #expect(pattern.match("z2m/anna-1/availability") == nil, "the device needs at least one level")
        #expect(pattern.match("z2m/anna-1/hall/motion") == nil)
        #expect(pattern.match("z2m/anna-1//availability") == nil, "an empty level is not a name")
        #expect(pattern.subscriptionFilter == "z2m/+/#")
    }

    @Test func singleLevelCapturesWildcardsAndRest() throws {
        let tasmota = try TopicPattern("tele/{device}/SENSOR")
        #expect(tasmota.match("tele/kitchen_plug/SENSOR") == .init(home: nil, device: "kitchen_plug"))
        #expect(tasmota.match("tele/a/b/SENSOR") == nil)
        #expect(tasmota.subscriptionFilter == "tele/+/SENSOR")
        let bridge = try TopicPattern("zigbee2mqtt/bridge/#")
        #expect(bridge.match("zigbee2mqtt/bridge/response/permit_join") != nil)
        #expect(bridge.match("zigbee2mqtt/hall") == nil)
    }

    @Test func badPatternsAreRefusedWithAReason() {
        #expect(throws: MappingError.self) { try TopicPattern("a/#/b") }
        #expect(throws: MappingError.self) { try TopicPattern("a/{device...}/#") }
        #expect(throws: MappingError.self) { try TopicPattern("a/{room}") }
        #expect(throws: MappingError.self) { try TopicPattern("a/{device}/{device}") }
    }

    @Test func filterCoverage() {
        #expect(TopicPattern.filter("z2m/+/#", covers: "z2m/+/bridge/state"))
        #expect(TopicPattern.filter("zigbee2mqtt/#", covers: "zigbee2mqtt/bridge/#"))
        #expect(!TopicPattern.filter("z2m/+/#", covers: "zigbee2mqtt/#"))
        #expect(!TopicPattern.filter("tele/+/SENSOR", covers: "tele/+/LWT"))
    }

    @Test func deviceNamesBecomeValidDistinctIdentifiers() {
        #expect(DeviceName.identifier(for: "pendant_anna") == "pendant_anna")
        let hall = DeviceName.identifier(for: "hall/motion")
        #expect(Identifier.isValid(hall) && hall.hasPrefix("hall.motion-"))
        #expect(DeviceName.identifier(for: "a b") != DeviceName.identifier(for: "a_b"))
        #expect(Identifier.isValid(DeviceName.identifier(for: String(repeating: "é", count: 200))))
    }
}
