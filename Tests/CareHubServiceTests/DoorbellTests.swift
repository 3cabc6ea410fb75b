import CareHubService
import Testing

@Suite struct DoorbellTests {
    // The bounds are far from the time-outs on purpose: on a loaded two-core machine the test's own tasks may wait
    // seconds for a thread, and what matters is that the ring, not the time-out, ends the wait.
    @Test func aRingWakesAWaiterAtOnce() async {
        let doorbell = Doorbell()
        let start = ContinuousClock.now
        async let waited: Void = doorbell.wait(upTo: .seconds(120))
        try? await Task.sleep(for: .milliseconds(50))
        doorbell.ring()
        await waited
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func ringsWhileNobodyWaitsAreKeptOnceAndCoalesced() async {
        let doorbell = Doorbell()
        doorbell.ring()
        doorbell.ring()
        let start = ContinuousClock.now
        await doorbell.wait(upTo: .seconds(120))
        #expect(ContinuousClock.now - start < .seconds(60), "a ring before the wait must not wait for the time-out")
        let second = ContinuousClock.now
        await doorbell.wait(upTo: .milliseconds(200))
        #expect(ContinuousClock.now - second >= .milliseconds(150))
    }
}
