import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// Bad input: generated and mutated payloads (seeded from valid contract events and the real Zigbee2MQTT
/// payload file) through decoding and the real store. Nothing may crash; every message must end as an event,
/// a duplicate or a refusal with a reason; memory stays bounded. `CAREHUB_FUZZ_COUNT` sets the size
/// (`make faults` runs 100,000; `make test` 12,000).
@Suite(.serialized) struct FuzzTests {
    static var count: Int { Int(ProcessInfo.processInfo.environment["CAREHUB_FUZZ_COUNT"] ?? "") ?? 12_000 }

    static func seeds() throws -> [[UInt8]] {
        try PayloadMutator.seeds()
    }

    static let topics = [
        "carehub/v1/flat-1/dev-1/event", "carehub/v1/flat-1/dev+1/event", "carehub/v1/flat#/dev/event", "carehub/v1/flat 1/dev/event",
        "carehub/v1/flat-1/dev-1/event/extra", "carehub/v1//dev/event", "carehub/v1/flat-1/gateway/status", "carehub/v2/flat-1/dev/event",
        "carehub/v1/" + String(repeating: "h", count: 65) + "/dev/event",
    ]

    @Test func everyGeneratedOrMutatedPayloadIsStoredOrRefusedWithAReasonAndNothingCrashes() async throws {
        let fixture = try StoreFixture(synchronous: .normal)
        defer { fixture.directory.remove() }
        let seeds = try Self.seeds()
        #expect(seeds.count > 20, "the real payload file gave too few seeds")
        var random = PayloadMutator.Generator(state: 20_261_129)
        let decoder = EventDecoder()
        let store = fixture.ingest()
        var outcomes: [String: Int] = [:]
        var corpus: [String: [String]] = [:]
        let memoryBefore = PayloadMutator.residentBytes()
        let total = Self.count
        var done = 0
        while done < total {
            let batch = min(1_000, total - done)
            for _ in 0..<batch {
                // Mostly a valid topic, so that payloads reach the field checks.
                let topic = Int.random(in: 0..<10, using: &random) < 7 ? Self.topics[0] : Self.topics.randomElement(using: &random) ?? Self.topics[0]
                let payload = PayloadMutator.mutate(seeds.randomElement(using: &random) ?? [], &random)
                let decoded = decoder.decode(topic: topic, payload: payload, receivedAt: fixture.now)
                let outcome = try store.ingest(.contract(decoded), topic: topic, payload: payload, receivedAt: fixture.now)
                let key: String
                switch outcome {
                case .stored: key = "stored"
                case .duplicate: key = "duplicate"
                case .refused(let code): key = "refused:" + code
                case .gatewayStatus: key = "status"
                case .mapped, .deviceStatus, .ignored, .liveCopy:
                    Issue.record("a contract topic went down the mapped-dialect path: \(outcome)")
                    key = "mapped"
                }
                if corpus[key, default: []].count < 4 {
                    corpus[key, default: []].append(JSONText.object([
                        ("topic", JSONText.quoted(topic)), ("payload_base64", JSONText.quoted(Data(payload).base64EncodedString())),
                        ("expected", JSONText.quoted(key)),
                    ]))
                }
                switch outcome {
                case .stored: outcomes["stored", default: 0] += 1
                case .duplicate: outcomes["duplicate", default: 0] += 1
                case .refused(let code):
                    #expect(!code.isEmpty)
                    outcomes["refused:" + code, default: 0] += 1
                case .gatewayStatus: outcomes["status", default: 0] += 1
                case .mapped, .deviceStatus, .ignored, .liveCopy: outcomes["mapped", default: 0] += 1
                }
            }
            done += batch
            // Seconds of synchronous work: let the other tests' tasks have the (two-thread) cooperative pool between batches.
            await Task.yield()
        }
        let growth = PayloadMutator.residentBytes() - memoryBefore
        if let path = ProcessInfo.processInfo.environment["CAREHUB_FUZZ_CORPUS_OUT"] {
            try (corpus.keys.sorted().flatMap { corpus[$0] ?? [] }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        print("fuzz: \(total) payloads: \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); RSS growth \(growth / 1_048_576) MiB")
        #expect(outcomes.values.reduce(0, +) == total)
        let refused = outcomes.filter { $0.key.hasPrefix("refused:") }.values.reduce(0, +)
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events") == refused, "every refusal is kept")
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE reason = '' OR reason_code = ''") == 0)
        #expect(try fixture.count("SELECT MAX(LENGTH(payload)) FROM refused_events") <= 16 * 1024)
        for code in ["invalid_json", "invalid_topic", "too_large", "invalid_utf8", "invalid_value"] {
            #expect(outcomes["refused:" + code, default: 0] > 0, "the fuzz never produced \(code)")
        }
        #expect(growth < 200 * 1_048_576, "memory grew by \(growth / 1_048_576) MiB")
    }

    /// The regression corpus (`Tests/Fixtures/fuzz-corpus.jsonl`): payloads the fuzzer found, each with the outcome
    /// it must keep having. Decoded against a fresh database, so duplicates become first-time stores.
    @Test func theRegressionCorpusKeepsItsOutcomes() throws {
        let path = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/fuzz-corpus.jsonl").path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 20)
        let receivedAt = RFC3339.parse("2026-11-29T10:15:00Z")!
        for line in lines {
            let entry = try JSONValue.parse(Array(line.utf8))
            guard case .string(let topic)? = entry["topic"], case .string(let encoded)? = entry["payload_base64"],
                  case .string(let expected)? = entry["expected"], let payload = Data(base64Encoded: encoded)
            else {
                Issue.record("bad corpus line: \(line.prefix(80))")
                continue
            }
            let actual: String
            switch EventDecoder().decode(topic: topic, payload: Array(payload), receivedAt: receivedAt) {
            case .event: actual = "stored"
            case .gatewayStatus: actual = "status"
            case .refused(let refused): actual = "refused:" + refused.reason.code
            }
            let wanted = expected == "duplicate" ? "stored" : expected
            #expect(actual == wanted || (wanted == "refused:unregistered"), "\(topic) \(payload.prefix(60)): \(actual), expected \(wanted)")
        }
    }
}
