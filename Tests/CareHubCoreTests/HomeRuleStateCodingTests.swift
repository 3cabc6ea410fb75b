@testable import CareHubCore
import Foundation
import Testing

/// A home's saved rule state is read back exactly as it was saved, every field of it, and the keyed objects that earlier
/// versions saved are still read: an upgrade must never turn a saved state into an undecodable one (start-up decodes
/// every home's state, so the current form is made of short arrays, which decode at a fraction of a keyed object's cost).
@Suite struct HomeRuleStateCodingTests {
    /// A learned home after six weeks (a usual rising, learned quiets, counted days), with every other field set as well.
    static func everyField() throws -> HomeRuleState {
        let scenario = LearnedRoutineTests.collapse(days: 36, collapseDay: "2026-12-07")
        var state = try #require(scenario.engine.homes["flat-1"]?.state)
        #expect(state.history?.usualRising != nil && state.routine != nil && state.devices.count > 0)
        state.lastActivityAt = 1_796_000_000_001
        state.lastActivityRoom = "kitchen"
        state.lastActivityDevice = "pir-kitchen"
        state.lastActivityType = "motion"
        state.lastActivityPlace = 2
        state.lastOutsideBedroomAt = 1_796_000_000_002
        state.lastMessageAt = 1_796_000_000_003
        state.continuousDataSince = 1_796_000_000_004
        state.gatewayOfflineSince = 1_796_000_000_005
        state.exitDoorClosedAt = 1_796_000_000_006
        state.exitDoorDevice = "door-front"
        state.awaySince = 1_796_000_000_007
        state.awayEndedAt = 1_796_000_000_008
        state.holidayUntil = 1_796_000_000_009
        state.visitUntil = 1_796_000_000_010
        state.bedOccupied = true
        state.bedEmptySince = 1_796_000_000_011
        state.nightDoorOpenedAt = 1_796_000_000_012
        state.nightDoorDevice = "door-back"
        state.lastFridgeOpenAt = 1_796_000_000_013
        state.fridgeWatchSince = 1_796_000_000_014
        state.hasFridgeSensor = true
        state.raised = 0b1010
        state.silenceRaisedFor = 1_796_000_000_015
        state.notUpCheckedThrough = 1_796_000_000_016
        state.history?.lastBathroomAt = 1_796_000_000_017
        state.history?.lastKitchenAt = 1_796_000_000_018
        state.history?.bedSince = 1_796_000_000_019
        state.history?.wakeCandidate = 431
        state.history?.visitsTowardTomorrow = 2
        state.history?.lastRaised[1] = 20_790
        state.history?.morningVisitMinutes = [395, 452]
        return state
    }

    /// `state` as a version before bedtimes were counted reads back: every counted day's bedtime and morning visits not
    /// counted.
    static func savedBeforeBedtimes(_ state: HomeRuleState) -> HomeRuleState {
        everyDay(of: savedBeforeMorningVisits(state)) { $0.bedtime = DaySummary.bedtimeNotCounted }
    }

    /// `state` as a version before morning visits were counted reads back: every counted day's morning visits not counted.
    static func savedBeforeMorningVisits(_ state: HomeRuleState) -> HomeRuleState {
        var earlier = everyDay(of: state) { $0.morningVisits = DaySummary.morningVisitsNotCounted }
        earlier.history?.morningVisitMinutes = []
        return earlier
    }

    /// `state` with `change` made to each of its counted days and to today.
    static func everyDay(of state: HomeRuleState, _ change: (inout DaySummary) -> Void) -> HomeRuleState {
        var changed = state
        if var history = changed.history {
            for index in history.days.indices { change(&history.days[index]) }
            change(&history.today)
            changed.history = history
        }
        return changed
    }

    @Test func everyFieldComesBackAsItWasSaved() throws {
        let state = try Self.everyField()
        let saved = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(HomeRuleState.self, from: saved) == state, "\(String(decoding: saved, as: UTF8.self))")
        let text = String(decoding: saved, as: UTF8.self)
        #expect(text.hasPrefix("[") && !text.contains("\"firstSeenAt\"") && !text.contains("\"history\""), "arrays, not keyed objects: \(text)")
    }

    @Test func aNewHomeComesBackAsItWasSaved() throws {
        let state = HomeRuleState(firstSeenAt: 1_796_000_000_000)
        #expect(try JSONDecoder().decode(HomeRuleState.self, from: JSONEncoder().encode(state)) == state)
    }

    @Test func aHomeWithABedPadComesBackWithItsBedtimes() throws {
        // Three weeks of nights on the bed pad: each day's bedtime, the usual bedtime, and the night's check evaluated.
        var state = try #require(LearnedBedtimeTests.evenings(21).engine.homes["flat-1"]?.state)
        state.history?.bedtimeTowardTomorrow = 300
        #expect(state.history?.usualBedtime != nil && state.bedtimeCheckedThrough != nil)
        let saved = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(HomeRuleState.self, from: saved) == state, "\(String(decoding: saved, as: UTF8.self))")
    }

    @Test func theArraysSavedBeforeBedtimesWereCountedAreStillRead() throws {
        // `everyField()` as the versions of 2026-12-05 saved it, days packed in 15 bytes (Tests/Fixtures/rule-state-arrays-2026-12-05.json).
        let earlier = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/rule-state-arrays-2026-12-05.json")
        let state = try JSONDecoder().decode(HomeRuleState.self, from: Data(contentsOf: earlier))
        #expect(state == Self.savedBeforeBedtimes(try Self.everyField()), "the same state, its days' bedtimes not counted")
        #expect(state.history?.days.isEmpty == false)
    }

    @Test func theKeyedObjectsOfEarlierVersionsAreStillRead() throws {
        let state = try Self.everyField()
        // `everyField()` as the versions before 2026-12-06 saved it (Tests/Fixtures/rule-state-keyed.json).
        let earlier = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/rule-state-keyed.json")
        #expect(try JSONDecoder().decode(HomeRuleState.self, from: Data(contentsOf: earlier)) == Self.savedBeforeBedtimes(state))
    }
}
