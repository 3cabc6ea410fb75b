import CareHubCore
import Foundation

/// Reads the recordings in `shared/data/homes/` (HomeAssist's `time;sensor;value`, and CASAS's lines in each of their
/// forms, `CASASLine`; in local time, or at a time that carries its own zone) into contract events through a mapping.
/// A recording read without a mapping file has its sensors inferred from its own fields or names (`CASASInference`,
/// `HomeAssistInference`).
enum RecordingReader {
    struct Result {
        var lines: [ReplayLine]
        /// Sensor names that had no mapping, with how many lines each.
        var unmapped: [String: Int]
        /// Lines that are not events of the format (a header row, a line cut short), skipped.
        var unreadable = UnreadableLines()
    }

    static func read(_ data: Data, format: ReplayInputFormat, mapping: SensorMapping, infersSensors: Bool = false) throws -> Result {
        guard var clock = LocalClock(identifier: mapping.timeZone) else { throw ReplayInputError("Unknown time zone \(mapping.timeZone).") }
        var lines: [ReplayLine] = []
        var unmapped: [String: Int] = [:]
        var unreadable = UnreadableLines()
        var lineNumber = 0
        // Any line ending: CASAS files come with CR LF, which Swift reads as one character, not as "\n".
        for rawLine in String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let (time, sensor, raw): (String, String, String)
            // How a sensor the mapping does not name reads, when sensors are inferred: by its name (HomeAssist), or by the
            // line's own fields (CASAS).
            let infer: (String) -> SensorMapping.Sensor?
            if format == .homeassist {
                let fields = line.split(separator: ";", maxSplits: 2).map(String.init)
                guard fields.count == 3 else {
                    unreadable.note(ReplayInputError("Line \(lineNumber) does not have three fields separated by \";\"."))
                    continue
                }
                (time, sensor, raw) = (fields[0], fields[1], fields[2])
                infer = { infersSensors ? HomeAssistInference.sensor(named: $0) : nil }
            } else {
                guard let casas = CASASLine(Substring(line)) else {
                    unreadable.note(ReplayInputError("Line \(lineNumber) is not a CASAS event (date and time, sensor, value)."))
                    continue
                }
                (time, sensor, raw) = (casas.time, casas.sensor, casas.value)
                infer = { _ in infersSensors ? CASASInference.sensor(for: casas) : nil }
            }
            guard let instant = localInstant(time, clock: &clock) else {
                unreadable.note(ReplayInputError("Line \(lineNumber) starts with \"\(time.prefix(40))\", not a local date and time."))
                continue
            }
            let id = "\(mapping.home)-\(lineNumber)"
            guard let (device, payload) = mapping.payload(sensor: sensor, raw: raw, id: id, timestamp: instant, infer: infer) else {
                if !mapping.ignoredSuffixes.contains(where: sensor.hasSuffix), mapping.batterySuffix.map({ !sensor.hasSuffix($0) }) ?? true {
                    unmapped[sensor, default: 0] += 1
                }
                continue
            }
            lines.append(ReplayLine(time: instant, topic: Topic.event(home: mapping.home, device: device), payload: Array(payload.utf8),
                                    lineNumber: lineNumber))
        }
        return Result(lines: lines, unmapped: unmapped, unreadable: unreadable)
    }

    /// "2017-01-16T17:49:25.864" or "2012-06-01 05:52:21.084337", local time; a time that carries its zone
    /// ("2017-01-16T16:49:25.864Z", "…+01:00", as an export from a platform's own history may) is taken as the instant it
    /// names, not read again as local time an hour or two off.
    static func localInstant(_ text: String, clock: inout LocalClock) -> Int64? {
        if let instant = RFC3339.parseMilliseconds(text) { return instant }
        let utf8 = Array(text.utf8)
        guard utf8.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: utf8[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), (1...31).contains(day),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var millis = 0
        if utf8.count > 20, utf8[19] == UInt8(ascii: ".") {
            let fraction = String(decoding: utf8[20..<min(utf8.count, 23)], as: UTF8.self).padding(toLength: 3, withPad: "0", startingAt: 0)
            millis = Int(fraction) ?? 0
        }
        let localDay = Int64(RFC3339.daysFromCivil(year: year, month: month, day: day))
        return clock.instant(day: localDay, minute: hour * 60 + minute) + Int64(second) * 1000 + Int64(millis)
    }
}
