import Foundation
import CareHubStore
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error a route throws into an `application/problem+json` answer: `HTTPProblem` as it is, the store's
/// errors by their kind (`HTTPProblem.init(_:)`), Hummingbird's own (an unknown path's 404, a body too large) with their
/// status, and anything else as a 500 whose detail points to the hub's log (the error itself may name files).
///
/// A browser asking for a page (a GET outside `/api/` that accepts `text/html`) without a valid session is sent to the
/// sign-in form instead of being shown a 401 problem; it comes back to the page after signing in.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = CareHubRequestContext

    let routes: KnownRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as HTTPProblem {
            if problem.status == .unauthorized, Self.isBrowserPage(request) {
                let path = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["/", "-", "_", ".", "~"])) ?? "/"
                return ConsoleRoutes.seeOther("/login?then=\(path)")
            }
            throw problem
        } catch let error as StoreError {
            if error.kind != .notFound, error.kind != .conflict {
                context.logger.error("Request failed", metadata: ["http.path": .string(request.uri.path), "error": .string(error.message)])
            }
            throw HTTPProblem(error)
        } catch let conflict as IncidentConflict {
            throw HTTPProblem(conflict)
        } catch let error as any HTTPResponseError {
            let allowed = error.status == .notFound ? routes.methods(for: request.uri.path) : []
            if !allowed.isEmpty {
                let list = allowed.map(\.rawValue).joined(separator: ", ")
                throw HTTPProblem(.methodNotAllowed, "\(request.method.rawValue.prefix(20)) is not allowed on \(request.uri.path.prefix(80)); use \(list).",
                                  headers: [.allow: list])
            }
            let detail: String = switch error.status {
            case .notFound: "There is nothing at \(request.uri.path.prefix(80)); see /api/v1/openapi.yaml for the API's paths."
            case .methodNotAllowed: "\(request.method.rawValue) is not allowed on \(request.uri.path.prefix(80)); see /api/v1/openapi.yaml."
            case .contentTooLarge: "The body is too large; send a smaller one."
            default: "The request could not be handled (\(error.status.reasonPhrase)); check it against /api/v1/openapi.yaml."
            }
            throw HTTPProblem(error.status, detail)
        } catch {
            context.logger.error("Request failed", metadata: ["http.path": .string(request.uri.path), "error": .string("\(error)")])
            throw HTTPProblem(.internalServerError, "The hub could not answer this request; its log says why.")
        }
    }

    /// A browser navigating to one of the console's pages, rather than a program calling the API.
    static func isBrowserPage(_ request: Request) -> Bool {
        request.method == .get && !request.uri.path.hasPrefix("/api/") && request.headers[.accept]?.contains("text/html") == true
    }
}
