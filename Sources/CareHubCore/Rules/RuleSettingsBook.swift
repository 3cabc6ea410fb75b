/// The rule settings of every home: a default (from the configuration) and per-home overrides.
public struct RuleSettingsBook: Sendable, Equatable {
    public var defaults: RuleSettings
    public var homes: [String: RuleSettings]

    public init(defaults: RuleSettings = RuleSettings(), homes: [String: RuleSettings] = [:]) {
        self.defaults = defaults
        self.homes = homes
    }

    public func settings(for home: String) -> RuleSettings {
        homes[home] ?? defaults
    }
}
