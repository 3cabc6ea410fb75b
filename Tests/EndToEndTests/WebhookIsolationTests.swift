import CareHubTesting
import Foundation
import Testing

/// A webhook that never answers (or answers slowly) must delay nothing else: every pendant press reaches its
/// MQTT alert topic and a healthy webhook within a second, however the bad endpoint behaves.
@Suite(.serialized, .timeLimit(.minutes(3))) struct WebhookIsolationTests {
    /// How the endpoint configured beside the healthy one misbehaves.
    enum BadEndpoint: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// Accepts the TCP connection and never answers: every POST takes the whole time-out.
        case blackHole
        /// Answers 200, but only after three seconds.
        case answersAfterThreeSeconds

        var testDescription: String { rawValue }
    }

    /// One press, when it was published, and how long its alert took to each place.
    struct Press {
        var home: String
        var publishedAt: ContinuousClock.Instant
        var publishedAtWallClock: Date
        var alertLatency: Duration?
        var webhookLatency: Duration?
        /// When the rules queued the alert, after the press: the part of the latency that is not the notifier's.
        var queuedAfter: Duration?
    }

    static func milliseconds(_ duration: Duration?) -> String {
        guard let duration else { return "missing" }
        return "\(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000) ms"
    }

    @Test(arguments: BadEndpoint.allCases)
    func fivePressesReachTheAlertTopicAndAHealthyWebhookWithinASecond(beside bad: BadEndpoint) async throws {
        let healthy = try await HTTPReceiver()
        let blackHole = bad == .blackHole ? try await BlackHoleEndpoint() : nil
        let slow = bad == .answersAfterThreeSeconds ? try await HTTPReceiver(answerAfter: 3) : nil
        let badPort = try #require(blackHole?.port ?? slow?.port)
        var presses: [Press] = []
        var stopTime: Duration?
        try await HubFixture.with { fixture in
            // The bad endpoint is listed first and wants every priority, so a notifier that works through one
            // queue meets it before the healthy webhook on every press.
            let configuration = """
                notifications:
                  webhooks:
                    - url: http://127.0.0.1:\(badPort)/carehub
                      secret_env: CAREHUB_TEST_WEBHOOK_SECRET
                      timeout_seconds: 5
                    - url: http://127.0.0.1:\(healthy.port)/carehub
                      secret_env: CAREHUB_TEST_WEBHOOK_SECRET
                      timeout_seconds: 5
                """
            let gateway = try await fixture.startHubWithWebhooks(configuration)

            let start = ContinuousClock.now
            for index in 1...5 {
                try await Task.sleep(until: start.advanced(by: .seconds(index - 1)), clock: .continuous)
                let home = "flat-\(index)"
                presses.append(Press(home: home, publishedAt: .now, publishedAtWallClock: Date()))
                try await fixture.pressPendant(gateway, home: home, id: "press-\(index)")
            }
            // Every figure is collected before any is judged, so a failure shows them all ("missing": none by the deadline).
            let deadline = ContinuousClock.now.advanced(by: .seconds(40))
            for index in presses.indices {
                let home = presses[index].home
                let remaining = max(.milliseconds(1), deadline - .now)
                if let alert = try? await fixture.watcher.waitForMessage(
                    topic: { $0 == "carehub/v1/\(home)/alert" }, payload: { $0.contains(#""state":"open""#) }, timeout: remaining) {
                    presses[index].alertLatency = alert.at - presses[index].publishedAt
                }
                let queuedAt = try fixture.strings("SELECT created_at FROM outbox WHERE channel = 'mqtt' AND notification = 'alert' AND home_id = '\(home)' ORDER BY seq LIMIT 1")
                if let milliseconds = queuedAt.first.flatMap(Double.init) {
                    let seconds = milliseconds / 1000 - presses[index].publishedAtWallClock.timeIntervalSince1970
                    presses[index].queuedAfter = .milliseconds(Int(seconds * 1000))
                }
                if let request = try? await healthy.waitForRequest(containing: #""home":"\#(home)""#, timeout: max(.milliseconds(1), deadline - .now)),
                   let receivedAt = request["received_at"] as? Double {
                    let seconds = receivedAt - presses[index].publishedAtWallClock.timeIntervalSince1970
                    presses[index].webhookLatency = .milliseconds(Int(seconds * 1000))
                }
            }
            gateway.stop()

            // The bad endpoint's own alerts are not given up: the black hole's attempts time out and are retried,
            // the slow endpoint's arrive.
            let badLane = "FROM outbox WHERE channel = 'webhook' AND webhook = '127.0.0.1:\(badPort)'"
            if bad == .blackHole {
                let failed = "SELECT COUNT(*) FROM outbox_attempts WHERE ok = 0 AND outbox_seq IN (SELECT seq \(badLane))"
                #expect(try await fixture.waitUntil(failed, reaches: 1, timeout: .seconds(20)) >= 1)
                print("The black hole's first failed attempt: \(try fixture.strings("SELECT detail FROM outbox_attempts WHERE ok = 0 LIMIT 1"))")
            } else {
                #expect(try await fixture.waitUntil("SELECT COUNT(*) \(badLane) AND delivered_at IS NOT NULL", reaches: 1, timeout: .seconds(20)) >= 1)
            }

            // A graceful stop cuts short the attempt in flight to the bad endpoint instead of waiting out its time-out.
            let hub = try #require(fixture.hub)
            let stopping = ContinuousClock.now
            hub.child.signal(SIGTERM)
            let status = await hub.child.waitForExit(timeout: .seconds(20))
            stopTime = ContinuousClock.now - stopping
            #expect(status == 0, "the hub did not stop cleanly: \(hub.child.log.suffix(2_000))")
        }
        print("Beside a \(bad.rawValue) endpoint the hub stopped in \(Self.milliseconds(stopTime)) after SIGTERM")
        let figures = presses.map { "\($0.home): alert \(Self.milliseconds($0.alertLatency)) (queued after \(Self.milliseconds($0.queuedAfter))), "
            + "webhook \(Self.milliseconds($0.webhookLatency))" }
        print("Beside a \(bad.rawValue) endpoint: \(figures.joined(separator: "; "))")
        for press in presses {
            #expect(press.alertLatency.map { $0 <= .seconds(1) } == true,
                    "\(press.home): the MQTT alert took \(Self.milliseconds(press.alertLatency)) beside a \(bad.rawValue) endpoint")
            #expect(press.webhookLatency.map { $0 <= .seconds(1) } == true,
                    "\(press.home): the healthy webhook took \(Self.milliseconds(press.webhookLatency)) beside a \(bad.rawValue) endpoint")
        }
        // The bad endpoint was really offered the alerts (the black hole also counts its start-up probe).
        if let blackHole { #expect(blackHole.acceptedConnections >= 2) }
        if let slow { #expect(slow.requests.count >= 1) }
        await healthy.stop()
        await blackHole?.stop()
        await slow?.stop()
    }
}
