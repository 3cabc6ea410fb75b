import CareHubCore
@testable import CareHubService
import CareHubTesting
import Foundation
import Testing

/// Recordings as they come from elsewhere: a header row, a line cut short when the recorder stopped, a stray line in the
/// middle. Each such line is skipped and said, and the rest of the recording is read; only a file with no line of its
/// format is refused.
struct UnreadableLinesTests {
    func load(_ text: String, format: ReplayInputFormat, named name: String) throws -> ReplayInput.Loaded {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try ReplayInput.load(path: path, format: format, mappingPath: nil)
    }

    static func motion(_ id: String, at time: String) -> String {
        #"{"topic":"carehub/v1/flat-1/pir-kitchen/event","payload":{"id":"\#(id)","ts":"\#(time)","type":"motion","value":true,"room":"kitchen"}}"#
    }

    @Test func aDamagedLineAndALastLineCutShortAreSkippedAndTheEventsAroundThemKept() throws {
        let text = [
            Self.motion("m1", at: "2026-11-30T09:00:00Z"),
            "{\"topic\":\"carehub/v1/flat-1/pir-kitchen/event\",\"payl",  // a line written over by the next
            Self.motion("m2", at: "2026-11-30T09:10:00Z"),
            #"{"payload":{"id":"m3","ts":"2026-11-30T09:20:00Z","type":"motion","value":true}}"#,
            Self.motion("m4", at: "2026-11-30T09:30:00Z"),
            String(Self.motion("m5", at: "2026-11-30T09:40:00Z").prefix(50)),  // the recorder stopped mid-line
        ].joined(separator: "\n")
        let loaded = try load(text, format: .contract, named: "day.jsonl")
        #expect(loaded.lines.map(\.lineNumber) == [1, 3, 5])
        #expect(loaded.unreadable.count == 3)
        #expect(loaded.unreadable.first.map { $0.prefix(8) } == ["Line 2 i", "Line 4 h", "Line 6 i"])
        #expect(loaded.unreadable.first[1] == "Line 4 has no \"topic\" string.")
        #expect(loaded.unreadable.sentence?.hasPrefix("skipped 3 lines it could not read: Line 2 is not JSON") == true)
    }

    @Test func aHomeAssistExportWithAHeaderRowIsReadFromItsFirstEvent() throws {
        let loaded = try load("""
            time;sensor;value
            2017-03-01T08:00:00.000;MotionD_K;1
            2017-03-01T08:00:05.000;ContactS_E;1
            """, format: .homeassist, named: "home7.csv")
        #expect(loaded.lines.map(\.topic).count == 2)
        #expect(loaded.unreadable.first == ["Line 1 starts with \"time\", not a local date and time."])
    }

    @Test func manyUnreadableLinesAreAllCountedAndTheFirstFewExplained() throws {
        let text = (["2012-06-01 05:52:21.084337,M012,ON"] + (1...5).map { "stray \($0)" }).joined(separator: "\n")
        let loaded = try load(text, format: .casas, named: "hh998.csv")
        #expect(loaded.lines.count == 1)
        #expect(loaded.unreadable.count == 5)
        #expect(loaded.unreadable.first.count == UnreadableLines.kept)
        #expect(loaded.unreadable.sentence?.hasPrefix("skipped 5 lines it could not read (and 2 more): Line 2 is not a CASAS event") == true)
    }

    @Test func anEmptyFileIsAClearErrorNotAnEmptyEvaluation() throws {
        let error = #expect(throws: ReplayInputError.self) { _ = try load("\n  \n", format: .contract, named: "empty.jsonl") }
        #expect(error?.description.hasSuffix("empty.jsonl holds no events.") == true)
        // Every line read: nothing to say.
        #expect(try load(Self.motion("m1", at: "2026-11-30T09:00:00Z"), format: .contract, named: "one.jsonl").unreadable.sentence == nil)
    }

    @Test func aTimeThatCarriesItsZoneIsTakenAsThatInstantAndALocalTimeInTheHomesZone() throws {
        let loaded = try load("""
            2017-03-01T07:00:00.000Z;MotionD_K;1
            2017-03-01T08:00:00.000+01:00;MotionD_L;1
            2017-03-01T08:00:00.000;MotionD_B;1
            """, format: .homeassist, named: "home8.csv")
        // Paris is an hour ahead of UTC in March: all three are 07:00 UTC.
        let seven = try #require(RFC3339.parseMilliseconds("2017-03-01T07:00:00Z"))
        #expect(loaded.lines.map(\.time) == [seven, seven, seven])
        #expect(loaded.unreadable.count == 0)
    }
}
