import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// Where a sign-in or sign-out form may send the browser next: a path on this site, never another site
    /// (`//evil.example` and `/\evil.example` are refused), else the queue.
    static func safeDestination(_ then: String?) -> String {
        guard let then, then.hasPrefix("/"), !then.hasPrefix("//"), !then.hasPrefix("/\\"), then.count <= 200,
              !then.contains(where: { $0.isNewline }) else { return "/" }
        return then
    }

    /// A problem as a page for a browser: its sentence, and the way back (its headers, such as `Retry-After`, kept).
    static func problemPage(_ problem: HTTPProblem) -> Response {
        let main = """
            <h1>\(HTML.escape(problem.status.reasonPhrase))</h1>
            \(ConsolePage.message(problem.detail))
            <p><a href="/">Back to the queue</a> · <a href="/login">Sign in</a></p>
            """
        var response = ConsolePage(title: problem.status.reasonPhrase, main: main, status: problem.status).response()
        response.headers.append(contentsOf: problem.headers.filter { $0.name != .contentType })
        return response
    }

    /// `GET /login`: the sign-in form; `error` is the sentence of a failed attempt.
    static func signInPage(then: String?, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let main = """
            <h1>Sign in</h1>
            \(ConsolePage.message(error))
            <form method="post" action="/login">
            <input type="hidden" name="then" value="\(HTML.escape(safeDestination(then)))">
            <p><label for="name">Name</label><input id="name" name="name" autocomplete="username" required autofocus></p>
            <p><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            """
        return ConsolePage(title: "Sign in", main: main, status: status).response()
    }
}
