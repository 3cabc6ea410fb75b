import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import Testing

@Suite struct HubConfigurationTests {
    @Test func anEmptyFileGivesTheContractDefaults() throws {
        let configuration = try HubConfiguration.parse(yaml: "")
        #expect(configuration.broker.host == "127.0.0.1")
        #expect(configuration.broker.port == 1883)
        #expect(configuration.database.path == "./var/carehub.sqlite")
        #expect(configuration.database.synchronous == .full)
        #expect(configuration.timeZone == "Europe/London")
        #expect(configuration.registration == .automatic)
    }

    @Test func theShippedExampleParses() throws {
        let example = TestPaths.packageRoot.appendingPathComponent("deploy/carehub.example.yaml").path
        // As installed: the mappings under /etc/carehub/mappings are the repository's deploy/mappings.
        let text = try String(contentsOfFile: example, encoding: .utf8)
            .replacingOccurrences(of: "/etc/carehub/mappings/", with: TestPaths.packageRoot.appendingPathComponent("deploy/mappings").path + "/")
        let configuration = try HubConfiguration.parse(yaml: text, source: example)
        #expect(configuration.broker.tls != nil)
        #expect(configuration.broker.username != nil)
        #expect(configuration.gateways.map(\.dialect) == ["zigbee2mqtt"])
        #expect(configuration.gateways.first?.subscriptions == ["z2m/+/#", "zigbee2mqtt/#"], "one filter per base topic, none covering another")
    }

    @Test func aBadMappingFileIsOneSentenceWithItsLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mapping = directory.path("bad.yaml")
        try """
            dialect: test
            routes:
              - {topic: "tele/{device}/SENSOR", message: state}
            fields:
              - {key: /Switch1, type: door, values: {"ON": opened}}
            """.write(toFile: mapping, atomically: true, encoding: .utf8)
        #expect {
            try HubConfiguration.parse(yaml: "gateways:\n  - mapping: \(mapping)\n", source: "carehub.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.contains("line 5") && text.contains("opened") && !text.contains("\n")
        }
        try "dialect: test\nroutes:\n  - {topic: \"a/{device}\", message: state}\nfields:\n  - {key: /c, type: door, first_seem: baseline}\n"
            .write(toFile: mapping, atomically: true, encoding: .utf8)
        #expect {
            try HubConfiguration.parse(yaml: "gateways:\n  - mapping: \(mapping)\n", source: "carehub.yaml")
        } throws: { error in "\(error)".contains("\"first_seem\" is not a setting") && "\(error)".contains("line 5") }
        try "dialect: test\nroutes:\n  - {topic: \"a/#/b\", message: state}\n".write(toFile: mapping, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try HubConfiguration.parse(yaml: "gateways:\n  - mapping: \(mapping)\n", source: "carehub.yaml") }
    }

    @Test func everySettingIsRead() throws {
        let configuration = try HubConfiguration.parse(yaml: """
            broker:
              host: broker.example
              port: 8883
              client_id: hub-2
              keepalive: 20
              username: carehub
              password_env: CAREHUB_MQTT_PASSWORD
              tls:
                ca_file: /etc/carehub/ca.crt
                cert_file: /etc/carehub/hub.crt
                key_file: /etc/carehub/hub.key
                min_version: tlsv1.3
            database:
              path: /var/lib/carehub/carehub.sqlite
              synchronous: normal
            timezone: Europe/Dublin
            registration: strict
            clock_skew:
              max_ahead_seconds: 60
              max_behind_seconds: 3600
            log_level: debug
            """)
        #expect(configuration.broker.host == "broker.example")
        #expect(configuration.broker.port == 8883)
        #expect(configuration.broker.clientID == "hub-2")
        #expect(configuration.broker.keepAlive == 20)
        #expect(configuration.broker.passwordEnv == "CAREHUB_MQTT_PASSWORD")
        #expect(configuration.broker.tls?.minimumVersion == "tlsv1.3")
        #expect(configuration.broker.tls?.certificateFile == "/etc/carehub/hub.crt")
        #expect(configuration.database.synchronous == .normal)
        #expect(configuration.timeZone == "Europe/Dublin")
        #expect(configuration.registration == .strict)
        #expect(configuration.clockSkew == ClockSkewPolicy(maximumAhead: 60, maximumBehind: 3600))
        #expect(configuration.logLevel == "debug")
    }

    @Test(arguments: [
        ("databse:\n  path: x", "unknown setting \"databse\""),
        ("timezone: Mars/Olympus", "not an IANA time zone"),
        ("registration: sometimes", "automatic or strict"),
        ("database:\n  synchronous: off", "full or normal"),
        ("broker:\n  port: many", "broker.port"),
        ("broker:\n  tls:\n    ca_file: a\n    min_version: sslv3", "tlsv1.2 or tlsv1.3"),
        ("[unbalanced", "configuration"),
        ("rules:\n  routine_mode: sometimes", "learned or fixed"),
        ("rules:\n  learning_days: 0", "between 1 and 28"),
    ])
    func mistakesAreOneClearSentence(yaml: String, mentions: String) {
        #expect { try HubConfiguration.parse(yaml: yaml, source: "test.yaml") } throws: { error in
            let message = "\(error)"
            return error is ConfigurationError && message.contains(mentions) && !message.contains("\n")
        }
    }

    @Test func aHomeCanBeKeptOnTheFixedRulesWhileTheOthersLearn() throws {
        let configuration = try HubConfiguration.parse(yaml: """
            rules:
              learning_days: 10
              learned_floor_minutes: 90
              learned_entrance_floor_minutes: 150
              rooms:
                lounge: [snug]
            homes:
              flat-12:
                rules:
                  routine_mode: fixed
            """)
        #expect(configuration.rules.defaults.routineMode == .learned, "learned is the default")
        #expect(configuration.rules.defaults.learningDays == 10)
        #expect(configuration.rules.defaults.learnedFloor == 90 * 60)
        #expect(configuration.rules.defaults.learnedEntranceFloor == 150 * 60)
        #expect(RuleSettings().learnedEntranceFloor == 120 * 60, "two hours unless configured")
        #expect(configuration.rules.defaults.loungeRooms == ["snug"])
        #expect(configuration.rules.settings(for: "flat-12").routineMode == .fixed)
        #expect(configuration.rules.settings(for: "flat-12").learningDays == 10, "the home's override keeps the rest")
    }

    @Test func theBrokerFlagOverridesTheFile() throws {
        var configuration = try HubConfiguration.parse(yaml: "broker:\n  host: a\n  port: 1")
        try configuration.applyBrokerURL("mqtt://127.0.0.1:18830")
        #expect(configuration.broker.host == "127.0.0.1")
        #expect(configuration.broker.port == 18830)
        #expect(throws: ConfigurationError.self) { try configuration.applyBrokerURL("127.0.0.1:1883") }
        #expect(throws: ConfigurationError.self) { try configuration.applyBrokerURL("mqtts://host:8883") }
    }

    @Test func theClientIDDefaultsToTheBrokerAccountsName() throws {
        #expect(try HubConfiguration.parse(yaml: "broker:\n  username: carehub\n").broker.clientID == "carehub")
        #expect(try HubConfiguration.parse(yaml: "broker:\n  username: carehub\n  client_id: hub-7\n").broker.clientID == "hub-7")
        #expect(try HubConfiguration.parse(yaml: "").broker.clientID == "carehub-hub")
    }
}
