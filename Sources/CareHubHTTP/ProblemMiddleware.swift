import Foundation
import CareHubStore
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error a route throws into an `application/problem+json` answer: `HTTPProblem` as it is, the store's
/// errors by their kind (`HTTPProblem.init(_:)`), Hummingbird's own (an unknown path's 404, a body too large) with their
/// status, and anything else as a 500 whose detail points to the hub's log (the error itself may name files).
///
/// A browser (a request outside `/api/` that accepts `text/html`) gets the problem as a page instead: asking for a page
/// without a valid session, it is sent to the sign-in form and comes back after signing in; anything else (a form
/// without its CSRF token, a session that ended before the form was sent) is the sentence on a page of its own.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = CareHubRequestContext

    let routes: KnownRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await problems(request, context: context, next: next)
        } catch let problem as HTTPProblem where Self.isBrowser(request) {
            if problem.status == .unauthorized, request.method == .get {
                let path = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["/", "-", "_", ".", "~"])) ?? "/"
                return ConsoleRoutes.seeOther("/login?then=\(path)")
            }
            return ConsoleRoutes.problemPage(problem)
        }
    }

    private func problems(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as HTTPProblem {
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
            case .notFound where Self.isBrowser(request): "There is no page at \(request.uri.path.prefix(80)); the queue is at /, the homes at /homes."
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

    /// A browser on one of the console's pages or forms, rather than a program calling the API.
    static func isBrowser(_ request: Request) -> Bool {
        !request.uri.path.hasPrefix("/api/") && request.headers[.accept]?.contains("text/html") == true
    }
}
