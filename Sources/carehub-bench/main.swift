import CareHubCore
import CareHubService
import CareHubStore
import Foundation
import GRDB

// Rules benchmarks (`make bench`): throughput of decoded events through the rules in memory against reading
// and decoding the same file only, and rule-state memory per home.
//
//   carehub-bench replay FILE        contract JSONL, e.g. from simulators/resident.py
//   carehub-bench replay-db FILE [LINES]   the same lines (the first LINES) replayed into a new database, as
//                                    `carehub replay --db` does, against the in-memory replay of them in the same run
//   carehub-bench memory HOMES [MODE] RSS growth per home after 36 days of events each, one an hour (fixed rules, or with a learned routine)
//   carehub-bench ingest-metrics EVENTS ROUNDS   CPU cost of the hub's metrics on the ingest path (with against without)

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// CPU seconds this thread has run (user and system): unlike wall time, not stretched when other work shares the
/// machine's cores, so rates from it compare across runs on a loaded machine.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func replayThroughput(path: String) throws {
    let loadStart = ContinuousClock.now
    let loaded = try ReplayInput.load(path: path, format: .contract, mappingPath: nil)
    let readSeconds = seconds(ContinuousClock.now - loadStart)
    let decoder = EventDecoder(clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
    let decodeStart = ContinuousClock.now
    let decodeCPUStart = threadCPUSeconds()
    var decodedEvents = 0
    for line in loaded.lines {
        if case .event = decoder.decode(topic: line.topic, payload: line.payload, receivedAt: Date(millisecondsSince1970: line.time)) {
            decodedEvents += 1
        }
    }
    let decodeSeconds = seconds(ContinuousClock.now - decodeStart)
    let decodeCPUSeconds = threadCPUSeconds() - decodeCPUStart
    let rulesStart = ContinuousClock.now
    let rulesCPUStart = threadCPUSeconds()
    let outcome = try Replayer(store: nil, settings: RuleSettingsBook(), clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
        .run(loaded.lines)
    let rulesSeconds = seconds(ContinuousClock.now - rulesStart)
    let rulesCPUSeconds = threadCPUSeconds() - rulesCPUStart
    let baseline = Double(loaded.lines.count) / (readSeconds + decodeSeconds)
    let throughRules = Double(outcome.events) / (readSeconds + rulesSeconds)
    print("""
        {"lines":\(loaded.lines.count),"events":\(outcome.events),"incidents":\(outcome.raised.count),"timer_firings":\(outcome.timerFirings),\
        "read_s":\(String(format: "%.3f", readSeconds)),"decode_s":\(String(format: "%.3f", decodeSeconds)),\
        "decode_and_rules_s":\(String(format: "%.3f", rulesSeconds)),\
        "baseline_read_decode_per_s":\(Int(baseline)),"read_decode_rules_per_s":\(Int(throughRules)),\
        "decode_only_per_s":\(Int(Double(decodedEvents) / decodeSeconds)),"decode_and_rules_per_s":\(Int(Double(outcome.events) / rulesSeconds)),\
        "decode_only_per_cpu_s":\(Int(Double(decodedEvents) / decodeCPUSeconds)),"decode_and_rules_per_cpu_s":\(Int(Double(outcome.events) / rulesCPUSeconds)),\
        "ratio":\(String(format: "%.2f", throughRules / baseline))}
        """)
}

/// Persisted replay (`carehub replay --db`): the same lines through decoding, storage and the rules into a new
/// database, against decoding and the rules in memory in the same run.
func persistedReplayThroughput(path: String, lines limit: Int?) throws {
    let loaded = try ReplayInput.load(path: path, format: .contract, mappingPath: nil)
    let lines = limit.map { Array(loaded.lines.prefix($0)) } ?? loaded.lines
    let clockSkew = ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400)
    let memoryStart = ContinuousClock.now
    let memoryCPUStart = threadCPUSeconds()
    let inMemory = try Replayer(store: nil, settings: RuleSettingsBook(), clockSkew: clockSkew).run(lines)
    let memorySeconds = seconds(ContinuousClock.now - memoryStart)
    let memoryCPUSeconds = threadCPUSeconds() - memoryCPUStart
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carehub-bench-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = try HubDatabase.openForHub(path: directory.appendingPathComponent("replay.sqlite").path, synchronous: .normal)
    let store = ReplayStore(database: database, registration: .automatic, defaultTimeZone: "Europe/London")
    let storedStart = ContinuousClock.now
    let storedCPUStart = threadCPUSeconds()
    let stored = try Replayer(store: store, settings: RuleSettingsBook(), clockSkew: clockSkew).run(lines)
    let storedSeconds = seconds(ContinuousClock.now - storedStart)
    let storedCPUSeconds = threadCPUSeconds() - storedCPUStart
    print("""
        {"lines":\(lines.count),"events":\(stored.events),"incidents":\(stored.raised.count),"incidents_in_memory":\(inMemory.raised.count),\
        "in_memory_s":\(String(format: "%.3f", memorySeconds)),"persisted_s":\(String(format: "%.3f", storedSeconds)),\
        "in_memory_per_s":\(Int(Double(inMemory.events) / memorySeconds)),"persisted_per_s":\(Int(Double(stored.events) / storedSeconds)),\
        "in_memory_per_cpu_s":\(Int(Double(inMemory.events) / memoryCPUSeconds)),"persisted_per_cpu_s":\(Int(Double(stored.events) / storedCPUSeconds)),\
        "ratio":\(String(format: "%.2f", (Double(stored.events) / storedSeconds) / (Double(inMemory.events) / memorySeconds)))}
        """)
}

/// One event of a home's hour-by-hour day, the `index`th hour from `start` (plus `offset` seconds): motion from 07:00 to
/// 21:00 going round five rooms, a thermometer's heartbeat in the other hours. 36 days of them (`routineHours`) give a
/// home a full history (35 days counted), its usual rising and its learned quiets, as in a home that has run for weeks.
func routineEvent(home: Int, index: Int, start: Date, offset: Int = 0) -> SensorEvent {
    let rooms = ["kitchen", "lounge", "bedroom", "bathroom", "hall"]
    let room = rooms[index % rooms.count]
    let type: EventType = (7..<22).contains(index % 24) ? .motion : .heartbeat
    let device = type == .heartbeat ? "temp-\(room)" : "pir-\(room)"
    return SensorEvent(home: "home-\(home)", device: device, id: "e\(index)", type: type, value: type == .motion ? .boolean(true) : .none,
                       timestamp: start.addingTimeInterval(Double(index * 3_600 + offset)), room: room)
}

let routineHours = 36 * 24

/// `mode` fixed measures the fixed rules' state alone; learned adds each home's learned routine and its counted days, each
/// home fed `routineHours` of `routineEvent`.
func ruleMemory(homes: Int, mode: RoutineMode) {
    var engine = RulesEngine(settings: RuleSettingsBook().withRoutineMode(mode))
    let start = Date(timeIntervalSince1970: 1_796_000_000)
    func feed(_ home: Int, _ index: Int) {
        let event = routineEvent(home: home, index: index, start: start, offset: home % 600)
        _ = engine.handle(event, receivedAt: event.timestamp)
    }
    feed(0, 0)
    let before = residentBytes()
    for home in 0..<homes {
        for index in 0..<routineHours { feed(home, index) }
    }
    var deadlines = DeadlineQueue()
    for home in 0..<homes {
        deadlines.schedule("home-\(home)", at: engine.nextDeadline(home: "home-\(home)")?.millisecondsSince1970)
    }
    let after = residentBytes()
    let encoded = (try? HomeRuleState.makeEncoder().encode(engine.homes["home-1"]?.state)).map(\.count) ?? 0
    print("""
        {"homes":\(homes),"rss_growth_bytes":\(after - before),"bytes_per_home":\(String(format: "%.0f", Double(after - before) / Double(homes))),\
        "persisted_state_bytes_one_home":\(encoded),"timers":\(deadlines.count),\
        "home_rules_stride":\(MemoryLayout<HomeRules>.stride),"device_stride":\(MemoryLayout<DeviceRuleState>.stride),\
        "devices_per_home":\(engine.homes["home-1"]?.state.devices.count ?? 0),"mode":"\(mode.rawValue)",\
        "routine_count_bytes":\(engine.homes["home-1"]?.state.routine?.countBytes ?? 0),\
        "days_counted":\(engine.homes["home-1"]?.state.history?.days.count ?? 0),\
        "usual_rising":\(engine.homes["home-1"]?.state.history?.usualRising != nil)}
        """)
}

/// A large database for the query and start-up benchmarks: `homes` homes with rule state and a timer each,
/// `events` events spread over them and 30 days, `incidents` incidents (1 % of them open: 1,000 of 100,000, as issue 14 measures).
func makeDatabase(path: String, homes: Int, events: Int, incidents: Int) throws {
    let database = try HubDatabase.openForHub(path: path, synchronous: .normal)
    let start = Int64(1_796_000_000_000)
    let span = Int64(30 * 86_400_000)
    let rooms = ["kitchen", "lounge", "bedroom", "bathroom", "hall"]
    var engine = RulesEngine()
    // Each home's rule state as after weeks of its routine (learned, the default mode): what start-up decodes.
    let state = { (home: Int) -> HomeRuleState in
        for index in 0..<routineHours {
            let event = routineEvent(home: home, index: index, start: Date(millisecondsSince1970: start))
            _ = engine.handle(event, receivedAt: event.timestamp)
        }
        defer { engine.forget(home: "home-\(home)") }
        return engine.homes["home-\(home)"]?.state ?? HomeRuleState(firstSeenAt: start)
    }
    let encoder = HomeRuleState.makeEncoder()
    try database.writer.write { db in
        for home in 0..<homes {
            try db.execute(sql: "INSERT INTO homes (id, timezone, registered_at, registered_by) VALUES (?, 'Europe/London', ?, 'bench')",
                           arguments: ["home-\(home)", start])
            let encoded = String(decoding: try encoder.encode(state(home)), as: UTF8.self)
            try db.execute(sql: "INSERT INTO rule_states (home_id, state, updated_at) VALUES (?, ?, ?)", arguments: ["home-\(home)", encoded, start])
            try db.execute(sql: "INSERT INTO timers (home_id, name, due_at) VALUES (?, 'rules', ?)", arguments: ["home-\(home)", start + span])
        }
    }
    var written = 0
    while written < events {
        let batch = min(200_000, events - written)
        try database.writer.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO events (home_id, id, device_id, type, value, ts, received_at, room) VALUES (?, ?, ?, 'motion', 'true', ?, ?, ?)
                """)
            for index in written..<(written + batch) {
                let home = index % homes
                let ts = start + Int64(index) * span / Int64(events)
                try statement.execute(arguments: ["home-\(home)", "e\(index)", "pir-\(rooms[index % 5])", ts, ts, rooms[index % 5]])
            }
        }
        written += batch
    }
    let kinds = IncidentKind.allCases
    try database.writer.write { db in
        for index in 0..<incidents {
            let kind = kinds[index % kinds.count]
            let opened = start + Int64(index) * span / Int64(max(1, incidents))
            let open = index % 100 == 0
            try db.execute(sql: """
                INSERT INTO incidents (home_id, kind, priority, priority_rank, state, summary, opened_at, last_triggered_at, acknowledged_at,
                    acknowledged_by, resolved_at, resolved_by, outcome)
                VALUES (?, ?, ?, ?, ?, 'bench incident', ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    "home-\(index % homes)", kind.rawValue, kind.defaultPriority.rawValue, kind.defaultPriority.rank, open ? "open" : "resolved",
                    opened, opened, open ? nil : opened + 40_000, open ? nil : "bench", open ? nil : opened + 600_000, open ? nil : "bench",
                    open ? nil : "resident_ok",
                ])
        }
    }
    // The rules have seen these events: a hub started on this database resumes after them.
    try database.writer.write { db in
        try db.execute(sql: "UPDATE rules_checkpoint SET last_event_seq = (SELECT MAX(seq) FROM events) WHERE id = 1")
    }
    print(#"{"homes":\#(homes),"events":\#(events),"incidents":\#(incidents),"path":"\#(path)"}"#)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "replay" where arguments.count == 2:
    try replayThroughput(path: arguments[1])
case "replay-db" where arguments.count == 2 || arguments.count == 3:
    try persistedReplayThroughput(path: arguments[1], lines: arguments.count == 3 ? Int(arguments[2]) : nil)
case "memory" where arguments.count == 2 || arguments.count == 3:
    ruleMemory(homes: Int(arguments[1]) ?? 10_000, mode: arguments.count == 3 ? RoutineMode(rawValue: arguments[2]) ?? .learned : .fixed)
case "ingest-metrics" where arguments.count == 3:
    try ingestMetricsCost(events: Int(arguments[1]) ?? 100_000, rounds: Int(arguments[2]) ?? 3)
case "make-db" where arguments.count == 5:
    try makeDatabase(path: arguments[1], homes: Int(arguments[2]) ?? 100_000, events: Int(arguments[3]) ?? 10_000_000,
                     incidents: Int(arguments[4]) ?? 100_000)
default:
    FileHandle.standardError.write(Data("usage: carehub-bench replay FILE | replay-db FILE [LINES] | memory HOMES [fixed|learned] | make-db PATH HOMES EVENTS INCIDENTS | ingest-metrics EVENTS ROUNDS\n".utf8))
    exit(64)
}
