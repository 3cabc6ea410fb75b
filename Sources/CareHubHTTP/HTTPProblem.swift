import CareHubCore
import CareHubStore
import Foundation
import Hummingbird

/// An error answered as `application/problem+json` (RFC 9457): a status and one sentence of `detail` saying what went
/// wrong and what to do.
///
/// ```json
/// {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "There is no incident 42; …"}
/// ```
public struct HTTPProblem: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let detail: String
    /// Extra headers (`Retry-After` on 429, `WWW-Authenticate` on 401).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public static let unauthorized = HTTPProblem(
        .unauthorized, "Sign in at /login or send Authorization: Bearer TOKEN (an administrator creates one with `carehub users token NAME`).",
        headers: [.wwwAuthenticate: "Bearer realm=\"carehub\""])

    public static func badParameter(_ detail: String) -> HTTPProblem { HTTPProblem(.badRequest, detail) }

    /// The answer for an error from the store, by its kind (never its text): 404 for `notFound`, 409 for a `conflict`
    /// (someone else acted first), 400 for `invalidInput`, 503 when the database cannot be used, 500 otherwise.
    public init(_ error: StoreError) {
        switch error.kind {
        case .notFound: self.init(.notFound, error.message)
        case .conflict: self.init(.conflict, error.message)
        case .invalidInput: self.init(.badRequest, error.message)
        case .alreadyExists: self.init(.conflict, error.message)
        case .databaseMissing, .databaseUnreadable, .databaseNotWritable: self.init(.serviceUnavailable, error.message)
        default: self.init(.internalServerError, error.message)
        }
    }

    public init(_ conflict: IncidentConflict) {
        self.init(.conflict, conflict.message)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = "{\"type\":\"about:blank\",\"title\":\(JSONText.quoted(status.reasonPhrase)),\"status\":\(status.code),"
            + "\"detail\":\(JSONText.quoted(detail))}"
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
