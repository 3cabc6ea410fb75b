import CareHubService
import Testing

@Suite struct HTTPSettingsTests {
    @Test(arguments: [
        ("8080", "127.0.0.1", 8080), ("0.0.0.0:80", "0.0.0.0", 80), ("localhost:8443", "localhost", 8443), ("[::1]:8080", "::1", 8080),
    ])
    func aListenAddressIsHostAndPortOrABarePortOnLoopback(text: String, host: String, port: Int) throws {
        let parsed = try #require(HubConfiguration.HTTPSettings.parseListen(text))
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test(arguments: ["", "http", "0", "65536", "host:", ":80", "a b:80", "::1:80", "8080x", "-1"])
    func aMalformedListenAddressIsRefused(text: String) {
        #expect(HubConfiguration.HTTPSettings.parseListen(text) == nil)
    }

    @Test func theFileNamesTheListenerAndThePublicAddressAndTheFlagOverridesTheListener() throws {
        var configuration = try HubConfiguration.parse(yaml: """
            http:
              listen: "0.0.0.0:8080"
              public_url: "https://carehub.example.org"
            """)
        #expect(configuration.http == HubConfiguration.HTTPSettings(host: "0.0.0.0", port: 8080, publicURL: "https://carehub.example.org"))
        #expect(configuration.http?.isPublicHTTPS == true)
        try configuration.applyHTTPListen("9090")
        #expect(configuration.http == HubConfiguration.HTTPSettings(host: "127.0.0.1", port: 9090, publicURL: "https://carehub.example.org"))
        #expect(try HubConfiguration.parse(yaml: "").http == nil, "no listener unless asked")
    }

    @Test func aBadHTTPSectionIsOneSentenceWithItsLine() throws {
        #expect(throws: ConfigurationError.self) { try HubConfiguration.parse(yaml: "http:\n  listen: \"everywhere\"\n") }
        do {
            _ = try HubConfiguration.parse(yaml: "timezone: Europe/London\nhttp:\n  listen: \"8080\"\n  public_url: \"carehub.example.org\"\n")
            Issue.record("a public_url without a scheme was accepted")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("http.public_url must start with https:// or http://"))
            #expect(error.line == 4)
        }
        var flags = HubConfiguration()
        #expect(throws: ConfigurationError.self) { try flags.applyHTTPListen("80:80:80") }
    }
}
