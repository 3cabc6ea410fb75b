import Foundation

extension HubConfiguration {
    /// The HTTP listener (`http:` in the file, `--http` on the command line); without it `carehub serve` has none.
    ///
    /// ```yaml
    /// http:
    ///   listen: "127.0.0.1:8080"     # or a bare port: 8080 (then 127.0.0.1)
    ///   public_url: "https://carehub.example.org"   # what people type; https makes the session cookie Secure
    /// ```
    public struct HTTPSettings: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// The address people use (behind the TLS proxy); nil when they use the listener itself.
        public var publicURL: String?

        public init(host: String = "127.0.0.1", port: Int, publicURL: String? = nil) {
            self.host = host
            self.port = port
            self.publicURL = publicURL
        }

        /// Whether people reach the hub over https, so cookies must be `Secure`.
        public var isPublicHTTPS: Bool { publicURL?.lowercased().hasPrefix("https://") ?? false }

        /// `HOST:PORT`, `[IPv6]:PORT` or a bare `PORT` (then 127.0.0.1); nil when it is none of these.
        public static func parseListen(_ text: String) -> (host: String, port: Int)? {
            func port(_ digits: Substring) -> Int? {
                guard let value = Int(digits), (1...65_535).contains(value), digits.allSatisfy(\.isNumber) else { return nil }
                return value
            }
            if let bare = port(Substring(text)) { return ("127.0.0.1", bare) }
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                let host = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard !host.isEmpty, rest.hasPrefix(":"), let value = port(rest.dropFirst()) else { return nil }
                return (String(host), value)
            }
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            let host = text[..<colon]
            guard !host.isEmpty, !host.contains(where: \.isWhitespace), let value = port(text[text.index(after: colon)...]) else { return nil }
            return (String(host), value)
        }
    }

    /// Applies `--http HOST:PORT|PORT`, keeping a `public_url` from the file.
    public mutating func applyHTTPListen(_ text: String) throws {
        guard let (host, port) = HTTPSettings.parseListen(text) else {
            throw ConfigurationError("--http \"\(text)\" must be HOST:PORT or a port number from 1 to 65535, such as 127.0.0.1:8080 or 8080.")
        }
        http = HTTPSettings(host: host, port: port, publicURL: http?.publicURL)
    }
}

extension ConfigurationFile {
    /// `http: {listen: "HOST:PORT", public_url: "https://…"}`.
    struct HTTPSection: Decodable {
        var listen: String
        var public_url: String?

        func settings(source: String) throws -> HubConfiguration.HTTPSettings {
            guard let (host, port) = HubConfiguration.HTTPSettings.parseListen(listen) else {
                throw ConfigurationError("In \(source), http.listen must be HOST:PORT or a port number, such as 127.0.0.1:8080 or 8080.",
                                         path: ["http", "listen"])
            }
            if let public_url, !(public_url.lowercased().hasPrefix("https://") || public_url.lowercased().hasPrefix("http://")) {
                throw ConfigurationError("In \(source), http.public_url must start with https:// or http://.", path: ["http", "public_url"])
            }
            return HubConfiguration.HTTPSettings(host: host, port: port, publicURL: public_url)
        }
    }
}
