import Foundation
import Mosquitto

extension DeployedBroker {
    /// A test client of one of the broker's accounts, over TLS (host name `localhost`, as in the certificate).
    ///
    /// - Parameters:
    ///   - clientID: the MQTT client id it asks for (the shipped configuration replaces it by the user name).
    ///   - cleanSession: false keeps a persistent session at the broker.
    ///   - password: nil takes the account's own; give another to try a wrong one.
    public func client(
        user: String?, password: String? = nil, clientID: String? = nil, cleanSession: Bool = true, subscriptions: [String] = [],
        onState: @escaping MosquittoClient.StateHandler = { _ in }
    ) throws -> TestMQTTClient {
        var configuration = MosquittoConfiguration(clientID: clientID ?? "\(user ?? "anonymous")-\(UUID().uuidString.prefix(6))",
                                                   host: "localhost", port: port)
        configuration.tls = .init(caFile: caFile)
        configuration.cleanSession = cleanSession
        configuration.keepAlive = 10
        if let user { configuration.credentials = .init(username: user, password: password ?? accounts[user]) }
        configuration.subscriptions = subscriptions
        return try TestMQTTClient(configuration: configuration, onState: onState)
    }

    /// A `carehub serve --config` file for the hub's account `user`: the broker over TLS with the password in a file
    /// beside it, and `more` (YAML: gateways, rules ...) appended. The hub must also be given
    /// `--broker mqtt://localhost:<port>` (HubProcess passes 127.0.0.1, which the certificate names too).
    public func hubConfiguration(user: String = "carehub", more: String = "") throws -> String {
        let passwordFile = directory.path("\(user)-password")
        try (accounts[user] ?? "").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        return """
            broker:
              host: localhost
              port: \(port)
              client_id: carehub-hub
              username: \(user)
              password_file: \(passwordFile)
              tls:
                ca_file: \(caFile)
            \(more)
            """
    }
}
