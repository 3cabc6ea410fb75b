@testable import CareHubCore
import CareHubService
import CareHubTesting
import Foundation
import Testing

/// The decoder's fast path (`ContractPayloadScanner`, `Topic.plainEvent`) must give exactly what the general
/// decoder gives: the same events, the same refusals with the same reasons, on real payloads and on everything
/// the fuzz mutator makes of them. Each case is decoded both ways and compared whole.
@Suite struct DecoderEquivalenceTests {
    static let receivedAt = RFC3339.parse("2026-11-29T10:15:02.120Z") ?? Date(timeIntervalSince1970: 0)
    static let fast = EventDecoder(clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
    static let general = {
        var decoder = fast
        decoder.usesFastPath = false
        return decoder
    }()

    /// Decodes every (topic, payload) both ways; returns how many the scanner read itself (so that a test cannot
    /// pass by never taking the fast path).
    @discardableResult
    func expectSameDecoding(_ cases: [(topic: String, payload: [UInt8], receivedAt: Date)]) -> Int {
        var scanned = 0
        var mismatches = 0
        for item in cases {
            let fast = Self.fast.decode(topic: item.topic, payload: item.payload, receivedAt: item.receivedAt)
            let general = Self.general.decode(topic: item.topic, payload: item.payload, receivedAt: item.receivedAt)
            if fast != general {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(item.topic) \(String(decoding: item.payload.prefix(200), as: UTF8.self)): fast \(fast), general \(general)")
                }
            }
            let read = item.payload.withUnsafeBufferPointer { buffer in
                var scanner = ContractPayloadScanner(bytes: buffer)
                return scanner.scan() != nil
            }
            if read, Topic.plainEvent(item.topic) != nil { scanned += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) of \(cases.count) payloads decoded differently")
        return scanned
    }

    func loadRecording(_ relative: String, format: ReplayInputFormat, mapping: String) throws -> [ReplayLine] {
        let recording = try TestPaths.sharedData(relative)
        let mappingPath = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/\(mapping)").path
        return try ReplayInput.load(path: recording.path, format: format, mappingPath: mappingPath).lines
    }

    @Test func theRecordedHomesDecodeTheSameBothWays() throws {
        var lines = try loadRecording("homes/homeassist-home1/home1-2017-01-16_to_2017-09-24.csv", format: .homeassist,
                                      mapping: "homeassist-home1.yaml")
        lines += try loadRecording("homes/casas-hh109/hh109_2012-06_motion_on.csv", format: .casas, mapping: "casas-hh109.yaml")
        #expect(lines.count > 80_000)
        // Each at its own time (accepted) and at a fixed hub time (most of them then refused as too old).
        let cases = lines.map { ($0.topic, $0.payload, Date(millisecondsSince1970: $0.time)) }
            + lines.prefix(5_000).map { ($0.topic, $0.payload, Self.receivedAt) }
        let scanned = expectSameDecoding(cases)
        #expect(scanned == cases.count, "every recorded payload is plain contract JSON: the fast path should read it")
    }

    @Test func theZigbee2MQTTPayloadsAndTheFuzzCorpusDecodeTheSameBothWays() throws {
        let seeds = try PayloadMutator.seeds()
        var cases = seeds.map { ("carehub/v1/flat-1/dev-1/event", $0, Self.receivedAt) }
        let corpus = try String(contentsOfFile: TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/fuzz-corpus.jsonl").path,
                                encoding: .utf8)
        for line in corpus.split(separator: "\n") {
            guard case .string(let topic)? = try JSONValue.parse(Array(line.utf8))["topic"],
                  case .string(let encoded)? = try JSONValue.parse(Array(line.utf8))["payload_base64"],
                  let payload = Data(base64Encoded: encoded)
            else { continue }
            cases.append((topic, Array(payload), Self.receivedAt))
        }
        #expect(cases.count > 200)
        expectSameDecoding(cases)
    }

    @Test func everyMutationOfTheSeedsDecodesTheSameBothWays() throws {
        let topics = [
            "carehub/v1/flat-1/dev-1/event", "carehub/v1/flat-1/gateway/event", "carehub/v1/hub/dev-1/event", "carehub/v1/flat-1/dev+1/event",
            "carehub/v1/flat-1/dev-1/event/extra", "carehub/v1//dev/event", "carehub/v1/flat-1/gateway/status",
            "carehub/v1/" + String(repeating: "h", count: 65) + "/dev/event", "carehub/v1/flat-1/" + String(repeating: "d", count: 64) + "/event",
        ]
        let resident = #"{"id":"home-024-temp-bathroom-1","room":"bathroom","seq":1,"ts":"2026-11-29T10:15:00.478Z","type":"temperature","value":19.2}"#
        let seeds = try PayloadMutator.seeds() + [Array(resident.utf8)]
        // The contract events (the first six seeds and the resident's) are what the fast path reads: most cases start there.
        let contractSeeds = Array(seeds.prefix(6)) + [Array(resident.utf8)]
        var random = PayloadMutator.Generator(state: 20_261_204)
        var cases: [(String, [UInt8], Date)] = []
        for _ in 0..<20_000 {
            let topic = Int.random(in: 0..<10, using: &random) < 8 ? topics[0] : topics.randomElement(using: &random) ?? topics[0]
            let seed = Int.random(in: 0..<10, using: &random) < 8 ? contractSeeds.randomElement(using: &random) : seeds.randomElement(using: &random)
            var payload = PayloadMutator.mutate(seed ?? [], &random)
            // Mutations of mutations reach the fast path's edges (numbers, keys, whitespace) more often.
            if Int.random(in: 0..<4, using: &random) == 0 { payload = PayloadMutator.mutate(payload, &random) }
            cases.append((topic, payload, Self.receivedAt))
        }
        let scanned = expectSameDecoding(cases)
        #expect(scanned > 2_000, "the mutations should often stay within the fast path's reach")
    }

    /// Hand-picked edges of the scanner: numbers at the limit of exact conversion, whitespace, escapes, repeats,
    /// unknown and null members.
    @Test(arguments: [
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"temperature","value":0.1}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"temperature","value":-0}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"temperature","value":-0.0}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"temperature","value":19.299999999999997}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"temperature","value":12.345678901234}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"temperature","value":1234567890123456}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"power","value":1e3}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"power","value":01}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"power","value":1.}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"power","value":-}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"seq":9007199254740993}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"seq":900719925474099}"#,
        #" { "id" : "e" , "ts" : "2026-11-29T10:15:00Z" , "type" : "motion" , "value" : true } "#,
        "{\"id\":\"e\",\"ts\":\"2026-11-29T10:15:00Z\",\"type\":\"motion\",\"value\":true}\n",
        #"{"id":"e\u0041","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#,
        #"{"id":"e\"","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#,
        #"{"id":"e","id":"f","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"heartbeat","type":"motion"}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"heartbeat","linkquality":87,"x":{"y":[1]}}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"heartbeat","room":null,"battery":null,"seq":null,"test":null}"#,
        #"{"id":null,"ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#,
        #"{"id":"é","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"heartbeat","room":"a\u0085b"}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"heartbeat","room":"a b"}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"Motion","value":true}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"mot1on","value":true}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"pendant"}{}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"pendant",}"#,
        #"{"id":"e","ts":"2026-11-29T10:15:00Z","type":"pendant""#,
        #"{}"#, #"[]"#, "", " ", "null", #"{"id":tru}"#, #"{"id":nul}"#,
    ])
    func theScannersEdgesDecodeTheSameBothWays(payload: String) {
        expectSameDecoding([("carehub/v1/flat-1/dev-1/event", Array(payload.utf8), Self.receivedAt)])
    }

    @Test func everyEventTypeIsFoundByItsName() {
        for type in EventType.allCases {
            #expect(EventType(name: type.rawValue) == type)
            #expect(EventType(name: type.rawValue.uppercased()) == nil)
            #expect(EventType(name: type.rawValue + "s") == nil)
        }
        #expect(EventType(name: "") == nil)
    }
}
