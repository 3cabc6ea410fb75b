import CareHubCore
import CareHubService
import Foundation

// Rules benchmarks (`make bench`): throughput of decoded events through the rules in memory against reading
// and decoding the same file only, and rule-state memory per home.
//
//   carehub-bench replay FILE        contract JSONL, e.g. from simulators/resident.py
//   carehub-bench memory HOMES       RSS growth per home after 20 realistic events each

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func replayThroughput(path: String) throws {
    let loadStart = ContinuousClock.now
    let loaded = try ReplayInput.load(path: path, format: .contract, mappingPath: nil)
    let readSeconds = seconds(ContinuousClock.now - loadStart)
    let decoder = EventDecoder(clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
    let decodeStart = ContinuousClock.now
    var decodedEvents = 0
    for line in loaded.lines {
        if case .event = decoder.decode(topic: line.topic, payload: line.payload, receivedAt: Date(millisecondsSince1970: line.time)) {
            decodedEvents += 1
        }
    }
    let decodeSeconds = seconds(ContinuousClock.now - decodeStart)
    let rulesStart = ContinuousClock.now
    let outcome = try Replayer(store: nil, settings: RuleSettingsBook(), clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
        .run(loaded.lines)
    let rulesSeconds = seconds(ContinuousClock.now - rulesStart)
    let baseline = Double(loaded.lines.count) / (readSeconds + decodeSeconds)
    let throughRules = Double(outcome.events) / (readSeconds + rulesSeconds)
    print("""
        {"lines":\(loaded.lines.count),"events":\(outcome.events),"incidents":\(outcome.raised.count),"timer_firings":\(outcome.timerFirings),\
        "read_s":\(String(format: "%.3f", readSeconds)),"decode_s":\(String(format: "%.3f", decodeSeconds)),\
        "decode_and_rules_s":\(String(format: "%.3f", rulesSeconds)),\
        "baseline_read_decode_per_s":\(Int(baseline)),"read_decode_rules_per_s":\(Int(throughRules)),\
        "decode_only_per_s":\(Int(Double(decodedEvents) / decodeSeconds)),"decode_and_rules_per_s":\(Int(Double(outcome.events) / rulesSeconds)),\
        "ratio":\(String(format: "%.2f", throughRules / baseline))}
        """)
}

func ruleMemory(homes: Int) {
    var engine = RulesEngine()
    let start = Date(timeIntervalSince1970: 1_796_000_000)
    let rooms = ["kitchen", "lounge", "bedroom", "bathroom", "hall"]
    func feed(_ home: Int, _ index: Int) {
        let room = rooms[index % rooms.count]
        let type: EventType = index % 4 == 3 ? .heartbeat : .motion
        let device = type == .heartbeat ? "temp-\(room)" : "pir-\(room)"
        let at = start.addingTimeInterval(Double(index * 600 + home % 600))
        let event = SensorEvent(home: "home-\(home)", device: device, id: "e\(index)", type: type,
                                value: type == .motion ? .boolean(true) : .none, timestamp: at, room: room)
        _ = engine.handle(event, receivedAt: at)
    }
    feed(0, 0)
    let before = residentBytes()
    for home in 0..<homes {
        for index in 0..<20 { feed(home, index) }
    }
    var deadlines = DeadlineQueue()
    for home in 0..<homes {
        deadlines.schedule("home-\(home)", at: engine.nextDeadline(home: "home-\(home)")?.millisecondsSince1970)
    }
    let after = residentBytes()
    let encoded = (try? JSONEncoder().encode(engine.homes["home-1"]?.state)).map(\.count) ?? 0
    print("""
        {"homes":\(homes),"rss_growth_bytes":\(after - before),"bytes_per_home":\(String(format: "%.0f", Double(after - before) / Double(homes))),\
        "persisted_state_bytes_one_home":\(encoded),"timers":\(deadlines.count),\
        "home_rules_stride":\(MemoryLayout<HomeRules>.stride),"device_stride":\(MemoryLayout<DeviceRuleState>.stride),\
        "devices_per_home":\(engine.homes["home-1"]?.state.devices.count ?? 0)}
        """)
}

let arguments = CommandLine.arguments.dropFirst()
switch (arguments.first, arguments.dropFirst().first) {
case ("replay", let path?):
    try replayThroughput(path: path)
case ("memory", let count?):
    ruleMemory(homes: Int(count) ?? 10_000)
default:
    FileHandle.standardError.write(Data("usage: carehub-bench replay FILE | memory HOMES\n".utf8))
    exit(64)
}
