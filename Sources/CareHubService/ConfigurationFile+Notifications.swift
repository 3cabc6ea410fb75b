import CareHubCore
import Foundation

extension ConfigurationFile {
    /// `notifications:`: how long a notification may keep failing before a technical incident, and the webhooks.
    struct NotificationsSection: Decodable {
        var webhooks: [WebhookSection]?
        var give_up_after_minutes: Double?

        func apply(to configuration: inout HubConfiguration, source: String) throws {
            if let minutes = give_up_after_minutes {
                guard minutes > 0 else { throw ConfigurationError("In \(source), notifications.give_up_after_minutes must be positive.") }
                configuration.notificationGiveUpAfter = minutes * 60
            }
            for (index, hook) in (webhooks ?? []).enumerated() {
                let settings = try hook.settings(place: "notifications.webhooks[\(index)]", path: ["notifications", "webhooks", String(index)],
                                                 source: source)
                guard !configuration.webhooks.contains(where: { $0.name == settings.name }) else {
                    throw ConfigurationError("""
                        In \(source), notifications.webhooks[\(index)] has the name "\(settings.name)" of an earlier webhook; \
                        give each webhook its own name.
                        """, path: ["notifications", "webhooks", String(index)])
                }
                configuration.webhooks.append(settings)
            }
        }
    }

    /// One entry of `notifications.webhooks`. The URL may carry a token in its path or query, so it is never
    /// repeated in an error, a log line, an incident or the outbox: the webhook is known by its name.
    struct WebhookSection: Decodable {
        var name: String?
        var url: String
        var priorities: [String]?
        var secret_file: String?
        var secret_env: String?
        var timeout_seconds: Double?

        func settings(place: String, path: [String], source: String) throws -> HubConfiguration.WebhookSettings {
            guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  let host = parsed.host, !host.isEmpty
            else {
                throw ConfigurationError("In \(source), \(place).url must be an https URL.", path: path + ["url"])
            }
            guard scheme == "https" || Self.isLoopback(host: host) else {
                throw ConfigurationError("""
                    In \(source), \(place).url must use https: plain http is allowed only to this machine (127.0.0.0/8, ::1 or localhost).
                    """, path: path + ["url"])
            }
            if let name, !Identifier.isValid(name) {
                throw ConfigurationError("In \(source), \(place).name must be 1 to 64 characters of A-Z a-z 0-9 _ . -.", path: path + ["name"])
            }
            guard secret_file != nil || secret_env != nil else {
                throw ConfigurationError("In \(source), \(place) needs secret_file or secret_env for its signature.", path: path)
            }
            if let timeout_seconds, !(timeout_seconds > 0 && timeout_seconds.isFinite) {
                throw ConfigurationError("In \(source), \(place).timeout_seconds must be a positive number.", path: path + ["timeout_seconds"])
            }
            let priorities = try (self.priorities ?? Priority.allCases.map(\.rawValue)).map { name in
                guard let priority = Priority(rawValue: name) else {
                    throw ConfigurationError("In \(source), \(place).priorities has an unknown priority \"\(name)\".", path: path + ["priorities"])
                }
                return priority
            }
            return .init(name: name ?? Webhook.defaultName(url: url), url: url, priorities: Set(priorities),
                         secretFile: secret_file, secretEnv: secret_env, timeout: timeout_seconds ?? 5)
        }

        /// 127.0.0.0/8, ::1 or localhost: the only hosts a webhook may reach over plain http.
        static func isLoopback(host: String) -> Bool {
            let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            if bare.lowercased() == "localhost" { return true }
            var ipv4 = in_addr()
            if inet_pton(AF_INET, bare, &ipv4) == 1 { return UInt32(bigEndian: ipv4.s_addr) >> 24 == 127 }
            var ipv6 = in6_addr()
            if inet_pton(AF_INET6, bare, &ipv6) == 1 { return withUnsafeBytes(of: ipv6) { Array($0) } == Array(repeating: 0, count: 15) + [1] }
            return false
        }
    }
}
