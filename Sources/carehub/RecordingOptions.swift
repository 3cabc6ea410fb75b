import ArgumentParser
import CareHubCore
import CareHubService
import Foundation

extension ReplayInputFormat: ExpressibleByArgument {}

/// A recording to read and the hub configuration to judge it by: what `replay` and `evaluate` share.
struct RecordingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The recording to read.", valueName: "file")) var input: String
    @Option(help: ArgumentHelp("The hub's configuration (rule settings, time zone).", valueName: "file")) var config: String?
    @Option(help: ArgumentHelp("IANA time zone for homes without their own.", valueName: "zone")) var timezone: String?
    @Option(help: "contract (JSON lines), homeassist or casas.") var inputFormat: ReplayInputFormat = .contract
    @Option(help: ArgumentHelp("Sensor mapping for homeassist and casas recordings; without one, a recording is read by its own "
                               + "sensor names, location words and types.", valueName: "file")) var mapping: String?
    @Option(help: ArgumentHelp("Home id of a homeassist or casas recording read without a mapping (default: the file's name).",
                               valueName: "id"))
    var home: String?

    func validate() throws {
        if let home, !Identifier.isValid(home) { throw ValidationError("--home must be 1 to 64 characters of A-Z a-z 0-9 _ . -.") }
        if home != nil, inputFormat == .contract || mapping != nil {
            throw ValidationError("--home names a homeassist or casas recording read without a mapping; a mapping and a contract "
                                  + "recording name their own homes.")
        }
    }

    /// The configuration (with the recording's home in its mapping's time zone) and the recording's lines.
    func load() throws -> (configuration: HubConfiguration, recording: ReplayInput.Loaded) {
        var configuration = try config.map(HubConfiguration.load(path:)) ?? HubConfiguration()
        if let timezone { try configuration.applyTimeZone(timezone) }
        let loaded: ReplayInput.Loaded
        do {
            loaded = try ReplayInput.load(path: input, format: inputFormat, mappingPath: mapping, home: home, timeZone: timezone)
        } catch let error as ReplayInputError {
            throw CLIFailure(error.description)
        }
        if let home = loaded.home, let zone = loaded.timeZone, configuration.rules.homes[home] == nil {
            var settings = configuration.rules.defaults
            settings.timeZone = zone
            configuration.rules.homes[home] = settings
        }
        return (configuration, loaded)
    }
}
