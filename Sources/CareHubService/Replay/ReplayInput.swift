import CareHubCore
import Foundation

/// Loads a replay input file in one of the supported formats.
public enum ReplayInput {
    public struct Loaded: Sendable {
        public var lines: [ReplayLine]
        /// For recordings: sensors without a mapping, and how many lines each had (skipped).
        public var unmapped: [String: Int]
        /// The home a recording was mapped to.
        public var home: String?
        public var timeZone: String?
    }

    public static func load(path: String, format: ReplayInputFormat, mappingPath: String?) throws -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplayInputError("Cannot read the replay input \(path); check the path and its permissions.")
        }
        switch format {
        case .contract:
            return Loaded(lines: try ContractReplayReader.read(data), unmapped: [:])
        case .homeassist, .casas:
            guard let mappingPath else {
                throw ReplayInputError("--input-format \(format.rawValue) needs --mapping FILE (see deploy/mappings/).")
            }
            let mapping = try SensorMapping.load(path: mappingPath)
            let result = try RecordingReader.read(data, format: format, mapping: mapping)
            return Loaded(lines: result.lines, unmapped: result.unmapped, home: mapping.home, timeZone: mapping.timeZone)
        }
    }
}
