import Foundation

/// The rule settings of every home: a default (from the configuration) and per-home overrides.
public struct RuleSettingsBook: Sendable, Equatable {
    public var defaults: RuleSettings
    public var homes: [String: RuleSettings]

    public init(defaults: RuleSettings = RuleSettings(), homes: [String: RuleSettings] = [:]) {
        self.defaults = defaults
        self.homes = homes
    }

    /// Per-device offline allowances from the device registry, by home then device.
    public var deviceOverrides: [String: [String: TimeInterval]] = [:]

    public func settings(for home: String) -> RuleSettings {
        // Empty tables (no per-home settings, no registry allowances) are not hashed into: this runs for every event.
        var settings = homes.isEmpty ? defaults : homes[home] ?? defaults
        if !deviceOverrides.isEmpty, let overrides = deviceOverrides[home] { settings.deviceOfflineOverrides = overrides }
        return settings
    }
}
