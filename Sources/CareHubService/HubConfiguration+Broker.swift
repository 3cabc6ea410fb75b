import CareHubCore
import Foundation
import Mosquitto

extension HubConfiguration {
    /// The hub's MQTT client settings: a persistent session (clean session off, stable client id) so the
    /// broker queues QoS 1 events while the hub is down; `offline` as the retained last will, `online` on
    /// every connection.
    func mosquittoConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MosquittoConfiguration {
        var mqtt = MosquittoConfiguration(clientID: broker.clientID, host: broker.host, port: broker.port)
        mqtt.keepAlive = broker.keepAlive
        mqtt.cleanSession = false
        mqtt.subscriptions = Topic.subscriptions
        for filter in gateways.flatMap(\.subscriptions) where !mqtt.subscriptions.contains(filter) {
            mqtt.subscriptions.append(filter)
        }
        mqtt.will = .init(topic: Topic.hubStatus, payload: "offline", retain: true)
        mqtt.birth = .init(topic: Topic.hubStatus, payload: "online", retain: true)
        if let username = broker.username {
            mqtt.credentials = .init(username: username, password: try password(environment: environment))
        }
        if let tls = broker.tls {
            mqtt.tls = .init(caFile: tls.caFile, certificateFile: tls.certificateFile, keyFile: tls.keyFile, minimumVersion: tls.minimumVersion)
        }
        return mqtt
    }

    /// The live lane's client settings (`Broker.liveLane`): a clean session (it must never get a backlog), its own
    /// client id and account (`-live` appended), the gateways' topics only, no will and no birth.
    func liveLaneConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MosquittoConfiguration {
        var mqtt = try mosquittoConfiguration(environment: environment)
        mqtt.clientID = broker.clientID + Self.liveLaneSuffix
        mqtt.cleanSession = true
        mqtt.subscriptions = mqtt.subscriptions.filter { $0 != Topic.sentinel && $0 != Topic.liveMarker }
        mqtt.will = nil
        mqtt.birth = nil
        mqtt.credentials = mqtt.credentials.map { .init(username: $0.username + Self.liveLaneSuffix, password: $0.password) }
        return mqtt
    }

    static let liveLaneSuffix = "-live"

    /// The broker password, from a file or an environment variable; never from the configuration itself.
    private func password(environment: [String: String]) throws -> String? {
        try Self.secret(file: broker.passwordFile, variable: broker.passwordEnv, what: "broker password",
                        setting: "broker.password_env", environment: environment)
    }

    /// A secret read from `file` (trimmed) or the environment variable `variable`; nil when neither is named.
    static func secret(file: String?, variable: String?, what: String, setting: String, environment: [String: String]) throws -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError("Cannot read the \(what) file \(file); check that it exists and that the carehub user may read it.")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let variable {
            guard let value = environment[variable] else {
                throw ConfigurationError("The environment variable \(variable) named by \(setting) is not set.")
            }
            return value
        }
        return nil
    }

    /// Applies `--broker mqtt://HOST:PORT` (or `mqtts://`, which needs `broker.tls` in the file).
    public mutating func applyBrokerURL(_ text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["mqtt", "mqtts"].contains(scheme),
              let host = url.host, !host.isEmpty
        else {
            throw ConfigurationError("The broker address \"\(text)\" is not of the form mqtt://HOST:PORT.")
        }
        if scheme == "mqtts", broker.tls == nil {
            throw ConfigurationError("The broker address \(text) asks for TLS but the configuration has no broker.tls section with a CA file.")
        }
        broker.host = host
        broker.port = url.port ?? (scheme == "mqtts" ? 8883 : 1883)
    }

    /// Applies `--timezone`: the zone of homes registered automatically and of every home without its own.
    public mutating func applyTimeZone(_ identifier: String) throws {
        try Self.validateTimeZone(identifier, source: "--timezone")
        if rules.defaults.timeZone == timeZone { rules.defaults.timeZone = identifier }
        timeZone = identifier
    }
}

extension HubConfiguration {
    /// The webhooks with their secrets read (from a file or the environment; never from the configuration).
    func signedWebhooks(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [Webhook] {
        try webhooks.map { hook in
            let secret = try Self.secret(file: hook.secretFile, variable: hook.secretEnv, what: "webhook secret",
                                         setting: "the secret_env of the webhook \(hook.name)", environment: environment) ?? ""
            guard !secret.isEmpty else { throw ConfigurationError("The secret of the webhook \(hook.name) is empty.") }
            return Webhook(name: hook.name, url: hook.url, priorities: hook.priorities, secret: Array(secret.utf8), timeout: hook.timeout)
        }
    }
}
