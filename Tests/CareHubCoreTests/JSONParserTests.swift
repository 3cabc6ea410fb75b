import CareHubCore
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a":[1,-2.5e3,true,false,null],"b":{"c":"d"},"e":""} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("d")]),
            "e": .string(""),
        ]))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "+1", "tru", "\"\\x\"", "\"\\ud83d\"", "\"a\u{1}b\"", "{} {}", "NaN", "1e400",
        "{'a':1}", "/* c */ {}",
    ])
    func refusesInvalidJSON(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func limitsNesting() throws {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        let tooDeep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(try parse(ok) != .null)
        #expect(throws: JSONParseError.self) { try parse(tooDeep) }
    }

    @Test func jsonTextRoundTrips() throws {
        let text = "quote \" backslash \\ newline \n control \u{1} é"
        #expect(try parse(JSONText.quoted(text)) == .string(text))
        #expect(JSONText.number(21) == "21")
        #expect(JSONText.number(21.5) == "21.5")
    }
}
