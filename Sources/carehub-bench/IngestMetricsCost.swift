import CareHubCore
import CareHubService
import CareHubStore
import Foundation
import Logging
import Mosquitto

/// What the hub's metrics cost the ingest path: the same contract events handed to `IngestHandler` in bursts of 256, as
/// the MQTT thread hands them, once with `HubMetrics` and once without, each into a new database, alternating for
/// `rounds` rounds. Measured in process CPU seconds (not stretched when other work shares the cores), so the two
/// arms compare on a loaded machine. Then what the metrics add to one burst on their own (the tally of 256 outcomes,
/// two clock reads and `recordBurst`), over 100,000 bursts. Prints one JSON line.
func ingestMetricsCost(events: Int, rounds: Int) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carehub-bench-metrics-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let start = RFC3339.parse("2026-11-29T12:00:00Z") ?? Date(timeIntervalSince1970: 0)
    let bursts = stride(from: 0, to: events, by: 256).map { first in
        (first..<min(events, first + 256)).map { index in
            MosquittoMessage(topic: "carehub/v1/home-\(index % 100)/pir-\(index % 7)/event", payload: Array("""
                {"id":"e-\(index)","ts":"\(RFC3339.format(start.addingTimeInterval(Double(index) / 1000)))","type":"motion","value":true}
                """.utf8))
        }
    }
    var seconds: [Bool: [Double]] = [false: [], true: []]
    for round in 0..<(2 * rounds) {
        let observed = round % 2 == 1
        let database = try HubDatabase.openForHub(path: directory.appendingPathComponent("\(round).sqlite").path, synchronous: .normal)
        let metrics = observed ? HubOperations().metrics : nil
        let handler = IngestHandler(
            ingestor: Ingestor(store: IngestStore(database: database), registration: .automatic, defaultTimeZone: "Europe/London"),
            clock: ManualClock(start.addingTimeInterval(Double(events) / 1000)), logger: Logger(label: "bench"), newEvents: Doorbell(),
            newOutbox: Doorbell(), metrics: metrics, onStoreFailure: { line in fatalError(line) })
        let cpuStart = processCPUSeconds()
        for burst in bursts { handler.handle(burst) }
        seconds[observed, default: []].append(processCPUSeconds() - cpuStart)
    }
    let metrics = HubOperations().metrics
    let outcomes = [IngestOutcome](repeating: .stored(seq: 1, receiptQueued: false), count: 256)
    let burstsTimed = 100_000
    let metricsStart = processCPUSeconds()
    for _ in 0..<burstsTimed {
        let started = DispatchTime.now().uptimeNanoseconds
        var tally = IngestTally()
        for outcome in outcomes { tally.add(outcome) }
        metrics.recordBurst(tally, nanoseconds: Int64(DispatchTime.now().uptimeNanoseconds - started))
    }
    let metricsNanosecondsPerBurst = (processCPUSeconds() - metricsStart) * 1e9 / Double(burstsTimed)
    func rate(_ arm: [Double]) -> Int { Int(Double(events) / (arm.sorted()[arm.count / 2])) }
    let without = rate(seconds[false] ?? []), with = rate(seconds[true] ?? [])
    print("""
        {"events":\(events),"rounds":\(rounds),"without_metrics_per_cpu_s":\(without),"with_metrics_per_cpu_s":\(with),\
        "ratio":\(String(format: "%.3f", Double(with) / Double(max(1, without)))),\
        "metrics_ns_per_burst_of_256":\(Int(metricsNanosecondsPerBurst)),\
        "cpu_s_without":\((seconds[false] ?? []).map { String(format: "%.3f", $0) }),"cpu_s_with":\((seconds[true] ?? []).map { String(format: "%.3f", $0) })}
        """)
}

/// CPU seconds of the whole process (every thread, user and system).
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
