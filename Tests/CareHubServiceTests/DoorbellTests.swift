import CareHubService
import Testing

@Suite struct DoorbellTests {
    @Test func aRingWakesAWaiterAtOnce() async {
        let doorbell = Doorbell()
        let start = ContinuousClock.now
        async let waited: Void = doorbell.wait(upTo: .seconds(10))
        try? await Task.sleep(for: .milliseconds(50))
        doorbell.ring()
        await waited
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func ringsWhileNobodyWaitsAreKeptOnceAndCoalesced() async {
        let doorbell = Doorbell()
        doorbell.ring()
        doorbell.ring()
        let start = ContinuousClock.now
        await doorbell.wait(upTo: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(15), "a ring before the wait must not wait for the time-out")
        let second = ContinuousClock.now
        await doorbell.wait(upTo: .milliseconds(200))
        #expect(ContinuousClock.now - second >= .milliseconds(150))
    }
}
