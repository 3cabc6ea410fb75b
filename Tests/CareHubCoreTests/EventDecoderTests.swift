import CareHubCore
import Foundation
import Testing

/// Contract section 2, field by field, with payloads shaped like real gateways' output.
@Suite struct EventDecoderTests {
    let decoder = EventDecoder()
    let receivedAt = RFC3339.parse("2026-11-29T10:15:02.120Z")!
    let topic = "carehub/v1/flat-12/pir-lounge/event"

    func decode(_ json: String, topic: String? = nil) -> DecodedMessage {
        decoder.decode(topic: topic ?? self.topic, payload: Array(json.utf8), receivedAt: receivedAt)
    }

    func event(_ json: String, topic: String? = nil) throws -> SensorEvent {
        guard case .event(let event) = decode(json, topic: topic) else {
            Issue.record("expected an event from \(json), got \(decode(json, topic: topic))")
            throw CancellationError()
        }
        return event
    }

    func refusal(_ json: String, topic: String? = nil) -> RefusalReason? {
        if case .refused(let refused) = decode(json, topic: topic) { return refused.reason }
        return nil
    }

    @Test func aFullMotionEventDecodesEveryField() throws {
        let decoded = try event("""
            {"id":"a9f3-0001","ts":"2026-11-29T10:15:01.500+00:00","type":"motion","value":true,"room":"lounge","battery":87,"seq":1042}
            """)
        #expect(decoded == SensorEvent(
            home: "flat-12", device: "pir-lounge", id: "a9f3-0001", type: .motion, value: .boolean(true),
            timestamp: RFC3339.parse("2026-11-29T10:15:01.5Z")!, room: "lounge", battery: 87, sequence: 1042))
    }

    @Test(arguments: [
        ("motion", "false", EventValue.boolean(false)),
        ("door", "\"open\"", .text("open")),
        ("door", "\"closed\"", .text("closed")),
        ("bed", "\"occupied\"", .text("occupied")),
        ("chair", "\"empty\"", .text("empty")),
        ("smoke", "true", .boolean(true)),
        ("co", "false", .boolean(false)),
        ("water", "true", .boolean(true)),
        ("temperature", "18.5", .number(18.5)),
        ("temperature", "-3", .number(-3)),
        ("power", "2200", .number(2200)),
        ("battery", "15", .number(15)),
        ("tamper", "true", .boolean(true)),
    ])
    func everyTypeAcceptsItsValues(type: String, value: String, expected: EventValue) throws {
        let decoded = try event(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"\#(type)","value":\#(value)}"#)
        #expect(decoded.type.rawValue == type)
        #expect(decoded.value == expected)
    }

    @Test(arguments: ["pendant", "pullcord", "fall", "heartbeat"])
    func typesWithoutAValueNeedNone(type: String) throws {
        let decoded = try event(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"\#(type)"}"#)
        #expect(decoded.value == .none)
    }

    @Test(arguments: [
        ("motion", "\"yes\"", "wrong_type"),
        ("motion", "1", "wrong_type"),
        ("door", "\"ajar\"", "invalid_value"),
        ("door", "true", "invalid_value"),
        ("bed", "\"full\"", "invalid_value"),
        ("smoke", "\"true\"", "wrong_type"),
        ("temperature", "\"18\"", "wrong_type"),
        ("temperature", "150", "invalid_value"),
        ("power", "-1", "invalid_value"),
        ("battery", "101", "invalid_value"),
        ("tamper", "null", "wrong_type"),
    ])
    func wrongValuesAreRefusedWithTheirReason(type: String, value: String, code: String) {
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"\#(type)","value":\#(value)}"#)?.code == code)
    }

    @Test(arguments: ["motion", "door", "bed", "chair", "smoke", "co", "water", "temperature", "power", "battery", "tamper"])
    func typesWithAValueRefuseItsAbsence(type: String) {
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"\#(type)"}"#) == .missingField("value"))
    }

    @Test func theRequiredFieldsAreRequired() {
        #expect(refusal(#"{"ts":"2026-11-29T10:15:00Z","type":"motion","value":true}"#) == .missingField("id"))
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","value":true}"#) == .missingField("type"))
        #expect(refusal(#"{"id":"e1","type":"motion","value":true}"#) == .missingField("ts"))
    }

    @Test func fieldsOfTheWrongTypeAreRefused() {
        #expect(refusal(#"{"id":17,"ts":"2026-11-29T10:15:00Z","type":"motion","value":true}"#)?.code == "wrong_type")
        #expect(refusal(#"{"id":"e1","ts":1732875300,"type":"motion","value":true}"#)?.code == "wrong_type")
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":["motion"],"value":true}"#)?.code == "wrong_type")
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"room":5}"#)?.code == "wrong_type")
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"battery":"80"}"#)?.code == "wrong_type")
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"heartbeat","test":"yes"}"#)?.code == "wrong_type")
    }

    @Test func anUnknownTypeIsRefused() {
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"humidity","value":40}"#)?.code == "unknown_type")
    }

    @Test func theControlCharacterCheckIsUnicodesControlCategory() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let isControl = scalar.properties.generalCategory == .control
            if EventDecoder.containsControlCharacter(String(Character(scalar))) != isControl {
                Issue.record("U+\(String(value, radix: 16)): control category \(isControl)")
                return
            }
        }
    }

    @Test func idsMustBeShortPrintableText() {
        #expect(refusal(#"{"id":"","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#)?.code == "invalid_value")
        let long = String(repeating: "x", count: 129)
        #expect(refusal(#"{"id":"\#(long)","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#)?.code == "invalid_value")
        #expect(refusal(#"{"id":"a\u0000b","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#)?.code == "invalid_value")
        let longest = String(repeating: "x", count: 128)
        #expect((try? event(#"{"id":"\#(longest)","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#)) != nil)
    }

    @Test(arguments: [
        "2026-11-29 10:15", "2026-11-29T10:15:00", "29/11/2026 10:15:00", "2026-02-30T10:15:00Z", "2026-11-29T24:00:00Z", "now",
    ])
    func timestampsMustBeRFC3339WithAZone(ts: String) {
        #expect(refusal(#"{"id":"e1","ts":"\#(ts)","type":"motion","value":true}"#)?.code == "invalid_value")
    }

    @Test func timestampOffsetsAreHonoured() throws {
        let decoded = try event(#"{"id":"e1","ts":"2026-11-29T11:15:00.250+01:00","type":"motion","value":true}"#)
        #expect(decoded.timestamp == RFC3339.parse("2026-11-29T10:15:00.250Z"))
    }

    @Test func optionalFieldsAreChecked() {
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"battery":-5}"#)?.code == "invalid_value")
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"seq":1.5}"#)?.code == "invalid_value")
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"seq":-1}"#)?.code == "invalid_value")
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"room":""}"#)?.code == "invalid_value")
    }

    @Test func unknownExtraFieldsAndNullOptionalsAreIgnored() throws {
        let decoded = try event(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"door","value":"open","room":null,"linkquality":87,"fw":"1.2"}"#)
        #expect(decoded.room == nil)
        #expect(decoded.value == .text("open"))
    }

    @Test func aSmokeSelfTestIsMarked() throws {
        let decoded = try event(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"smoke","value":true,"test":true,"room":"kitchen"}"#)
        #expect(decoded.isTest)
    }

    @Test func aBatteryReportCarriesItsLevel() throws {
        let decoded = try event(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"battery","value":42}"#)
        #expect(decoded.battery == 42)
    }

    @Test func unreadablePayloadsAreRefusedAndKept() {
        #expect(refusal("not json")?.code == "invalid_json")
        #expect(refusal(#"["motion"]"#)?.code == "not_an_object")
        #expect(refusal(#"{"id":"e1","id":"e2","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#)?.code == "invalid_json")
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"temperature","value":1e999}"#)?.code == "invalid_json")
        #expect(refusal(String(repeating: "[", count: 40) + String(repeating: "]", count: 40))?.code == "invalid_json")
        let invalidUTF8: [UInt8] = Array(#"{"id":"e"#.utf8) + [0xC3, 0x28] + Array(#"","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#.utf8)
        guard case .refused(let refused) = decoder.decode(topic: topic, payload: invalidUTF8, receivedAt: receivedAt) else {
            Issue.record("invalid UTF-8 was accepted")
            return
        }
        #expect(refused.reason == .invalidUTF8)
        #expect(refused.payload == invalidUTF8)
    }

    @Test func anOversizedPayloadKeepsItsFirst16KiBLengthAndHash() {
        let big = #"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"heartbeat","pad":""# + String(repeating: "x", count: 20_000) + "\"}"
        guard case .refused(let refused) = decode(big) else {
            Issue.record("an oversized payload was accepted")
            return
        }
        #expect(refused.reason.code == "too_large")
        #expect(refused.payload.count == 16 * 1024)
        #expect(refused.payloadLength == big.utf8.count)
        #expect(refused.payloadSHA256.count == 64)
        #expect(refused.payloadSHA256 != RefusedMessage(topic: topic, payload: Array(big.utf8.dropLast()), reason: .invalidUTF8).payloadSHA256)
    }

    @Test func sha256IsTheStandardOne() {
        let refused = RefusedMessage(topic: "t", payload: Array("abc".utf8), reason: .notAnObject)
        #expect(refused.payloadSHA256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: [
        "carehub/v1/flat 12/pir/event", "carehub/v1/flat+12/pir/event", "carehub/v1/flat-12/pir#/event", "carehub/v2/flat-12/pir/event",
        "carehub/v1/flat-12/pir/status", "carehub/v1/flat-12/event", "carehub/v1/\(String(repeating: "h", count: 65))/pir/event",
        "other/flat-12/pir/event", "carehub/v1/flat-12/pir/event/extra", "carehub/v1/_unassigned/pir/event",
    ])
    func topicsOutsideTheContractAreRefused(topic: String) {
        #expect(refusal(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#, topic: topic)?.code == "invalid_topic")
    }

    @Test func theHomeAndDeviceComeFromTheTopic() throws {
        let decoded = try event(#"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"heartbeat"}"#, topic: "carehub/v1/H.o_m-e/dev.1/event")
        #expect(decoded.home == "H.o_m-e")
        #expect(decoded.device == "dev.1")
    }

    @Test(arguments: [("online", GatewayState.online), ("offline", .offline), (#"{"state":"online"}"#, .online), ("offline\n", .offline)])
    func gatewayStatusInBothForms(payload: String, state: GatewayState) {
        #expect(decode(payload, topic: "carehub/v1/flat-12/gateway/status") == .gatewayStatus(home: "flat-12", state: state))
    }

    @Test func aGarbledGatewayStatusIsRefused() {
        #expect(refusal("maybe", topic: "carehub/v1/flat-12/gateway/status")?.code == "invalid_status")
        #expect(refusal(#"{"state":"sleeping"}"#, topic: "carehub/v1/flat-12/gateway/status")?.code == "invalid_status")
    }
}
