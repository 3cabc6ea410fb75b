import CareHubHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A signed-in browser for the console's tests: its session cookie and CSRF token, and form posts with them.
struct ConsoleSession {
    let cookie: String
    let csrf: String

    static func signIn(_ client: some TestClientProtocol, as name: String) async throws -> ConsoleSession {
        let response = try await CareHubHTTPTests.signIn(client, name: name, password: HTTPFixture.password)
        return ConsoleSession(cookie: try AuthenticationTests.sessionCookie(response),
                              csrf: try #require(try response.object()["csrf_token"] as? String))
    }

    func get(_ client: some TestClientProtocol, _ path: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: [.cookie: cookie, .accept: "text/html"])
    }

    /// Posts `fields` as a form, with the session's CSRF token unless `csrf` is false.
    func post(_ client: some TestClientProtocol, _ path: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> TestResponse {
        let all = (csrf ? [("csrf_token", self.csrf)] : []) + fields
        let body = all.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await client.execute(uri: path, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                        body: ByteBuffer(string: body))
    }
}
