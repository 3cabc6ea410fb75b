import CareHubCore
import Foundation

/// Loads a replay input file in one of the supported formats.
public enum ReplayInput {
    public struct Loaded: Sendable {
        public var lines: [ReplayLine]
        /// For recordings: sensors without a mapping, and how many lines each had (skipped).
        public var unmapped: [String: Int]
        /// Lines that are not events of the recording's format, skipped.
        public var unreadable = UnreadableLines()
        /// The home a recording was mapped to.
        public var home: String?
        public var timeZone: String?

        /// Skipped sensors as people read them: "T101 (315), T102 (12)".
        public static func listing(_ unmapped: [String: Int]) -> String {
            unmapped.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        }
    }

    /// Loads `path`, skipping the lines that are not events of `format` (`Loaded.unreadable`): one damaged line does not
    /// cost the whole recording. A file of which no line is one is an error (it is most likely not in that format), and so
    /// is an empty one. A recording without `mappingPath` is read through `CASASInference` or `HomeAssistInference`, as
    /// home `home` (else one named after the file) in `timeZone` (else the time zone of the homes of its kind: Pacific
    /// time for CASAS, Paris for HomeAssist).
    public static func load(path: String, format: ReplayInputFormat, mappingPath: String?, home: String? = nil, timeZone: String? = nil) throws
        -> Loaded {
        let loaded = try read(path: path, format: format, mappingPath: mappingPath, home: home, timeZone: timeZone)
        guard loaded.lines.isEmpty else { return loaded }
        if let first = loaded.unreadable.first.first {
            let name = switch format {
            case .contract: "contract JSON lines"
            case .homeassist: "a HomeAssist export"
            case .casas: "a CASAS recording"
            }
            throw ReplayInputError("No line of \(path) could be read as \(name) (check --input-format): \(first)")
        }
        if loaded.unmapped.isEmpty { throw ReplayInputError("\(path) holds no events.") }
        return loaded
    }

    private static func read(path: String, format: ReplayInputFormat, mappingPath: String?, home: String?, timeZone: String?) throws -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplayInputError("Cannot read the replay input \(path); check the path and its permissions.")
        }
        switch format {
        case .contract:
            var unreadable = UnreadableLines()
            let lines = ContractReplayReader.read(data, unreadable: &unreadable)
            return Loaded(lines: lines, unmapped: [:], unreadable: unreadable)
        case .casas where mappingPath == nil, .homeassist where mappingPath == nil:
            let home = try home ?? homeID(fromFile: path)
            let mapping = format == .casas ? CASASInference.mapping(home: home, timeZone: timeZone ?? CASASInference.timeZone)
                : HomeAssistInference.mapping(home: home, timeZone: timeZone ?? HomeAssistInference.timeZone)
            let result = try RecordingReader.read(data, format: format, mapping: mapping, infersSensors: true)
            return Loaded(lines: result.lines, unmapped: result.unmapped, unreadable: result.unreadable, home: mapping.home,
                          timeZone: mapping.timeZone)
        case .homeassist, .casas:
            guard let mappingPath else {
                throw ReplayInputError("--input-format \(format.rawValue) needs --mapping FILE (see deploy/mappings/).")
            }
            let mapping = try SensorMapping.load(path: mappingPath)
            let result = try RecordingReader.read(data, format: format, mapping: mapping)
            return Loaded(lines: result.lines, unmapped: result.unmapped, unreadable: result.unreadable, home: mapping.home,
                          timeZone: mapping.timeZone)
        }
    }

    /// A home id from a recording's file name ("hh110.txt" → "hh110"); CASAS's generic "data" files are named by their folder.
    static func homeID(fromFile path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        var name = url.deletingPathExtension().lastPathComponent
        if ["data", "raw", "events", "annotated"].contains(name.lowercased()) { name = url.deletingLastPathComponent().lastPathComponent }
        let id = String(String(name.unicodeScalars.map { Identifier.isValid(String($0)) ? Character($0) : "-" }).prefix(64))
        guard Identifier.isValid(id) else { throw ReplayInputError("Cannot name a home after \(path): give --home.") }
        return id
    }
}
