import CareHubCore
import Foundation
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2026-11-29T10:15:02.120Z", 1_795_947_302_120 as Int64),
        ("2026-11-29t10:15:02.12z", 1_795_947_302_120),
        ("2026-11-29 10:15:02Z", 1_795_947_302_000),
        ("2026-11-29T11:15:02.120+01:00", 1_795_947_302_120),
        ("2026-11-29T05:15:02.120-05:00", 1_795_947_302_120),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("2026-03-29T01:00:00+01:00", 1_774_742_400_000),
        ("2026-11-29T10:15:02.123456789Z", 1_795_947_302_123),
    ])
    func parsesRFC3339(text: String, milliseconds: Int64) {
        #expect(RFC3339.parseMilliseconds(text) == milliseconds)
    }

    @Test(arguments: [
        "", "2026-11-29", "2026-11-29T10:15:02", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-31T00:00:00Z",
        "2026-11-29T10:60:00Z", "2026-11-29T10:15:02.Z", "2026-11-29T10:15:02+0100", "2026-11-29T10:15:02+01:00junk",
        "２０２６-11-29T10:15:02Z", "2026-11-29T10:15:02 Z",
    ])
    func refusesWhatIsNotRFC3339(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func agreesWithFoundationOnManyInstants() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let milliseconds = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let date = Date(millisecondsSince1970: milliseconds)
            let ours = RFC3339.formatMilliseconds(milliseconds)
            #expect(ours == formatter.string(from: date))
            #expect(RFC3339.parseMilliseconds(ours) == milliseconds)
        }
    }
}
