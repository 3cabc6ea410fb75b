import CareHubService
import Foundation

/// One scrape of a hub's metrics, as Prometheus reads the text format: each sample line `name{labels} value`, looked up
/// by its series (`carehub_events_refused_total{reason="invalid_json"}`).
struct PrometheusScrape {
    let text: String
    let samples: [String: Double]

    init(_ operations: HubOperations) throws {
        self.init(text: try operations.metricsText())
    }

    init(text: String) {
        self.text = text
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    subscript(series: String) -> Double? { samples[series] }

    /// Scrapes until `series` reaches `target` (at least), for at most `timeout`; returns the last scrape.
    static func waitUntil(_ operations: HubOperations, _ series: String, reaches target: Double,
                          timeout: Duration = .seconds(30)) async throws -> PrometheusScrape {
        try await waitUntil(operations, timeout: timeout) { ($0[series] ?? -1) >= target }
    }

    /// Asks until the hub is ready, for at most `timeout`; returns the last answer (the test checks it). The hub announces
    /// itself online a moment before its state handler has run, and its rules publish their position after each step.
    static func waitUntilReady(_ operations: HubOperations, timeout: Duration = .seconds(30)) async throws -> HubReadiness {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var readiness = operations.readiness()
        while !readiness.ready, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            readiness = operations.readiness()
        }
        return readiness
    }

    /// Scrapes until `condition` holds, for at most `timeout`; returns the last scrape (the test checks it).
    static func waitUntil(_ operations: HubOperations, timeout: Duration = .seconds(30),
                          _ condition: (PrometheusScrape) -> Bool) async throws -> PrometheusScrape {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var scrape = try PrometheusScrape(operations)
        while !condition(scrape), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            scrape = try PrometheusScrape(operations)
        }
        return scrape
    }
}
