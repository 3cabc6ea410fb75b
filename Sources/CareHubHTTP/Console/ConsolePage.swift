import CareHubStore
import Foundation
import HTTPTypes
import Hummingbird

/// One page of the care team's console: the shared head (styles, a content security policy that allows only this
/// response's own inline style and script, by nonce), the skip link, the navigation with the sign-out button, and the
/// page's `main` content. Every value inside `main` must already be escaped (`HTML.escape`).
struct ConsolePage {
    var title: String
    /// The signed-in account and its session's CSRF token; nil on the sign-in page.
    var account: Account?
    var csrfToken: String?
    /// The page's content (already escaped markup) and an optional script (trusted, written here, never user text).
    var main: String
    var script: String?
    var status: HTTPResponse.Status = .ok

    /// A fresh nonce per response: the CSP lets only the inline style and script carrying it run.
    func response() -> Response {
        let nonce = SecretToken.generate()
        let policy = "default-src 'self'; img-src 'self' data:; style-src 'nonce-\(nonce)'; script-src 'nonce-\(nonce)'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        return Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: policy,
            HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "same-origin",
        ], body: .init(byteBuffer: ByteBuffer(string: html(nonce: nonce))))
    }

    func html(nonce: String) -> String {
        var navigation = ""
        if let account {
            navigation = """
                <nav aria-label="Console"><ul>
                <li><a href="/">Queue</a></li><li><a href="/homes">Homes</a></li>
                </ul>
                <form method="post" action="/logout" class="signout">
                <input type="hidden" name="csrf_token" value="\(HTML.escape(csrfToken ?? ""))">
                <input type="hidden" name="then" value="/login">
                <span>\(HTML.escape(account.name)) (\(HTML.escape(account.role.rawValue)))</span>
                <button type="submit">Sign out</button>
                </form></nav>
                """
        }
        let scriptTag = script.map { "<script nonce=\"\(nonce)\">\($0)</script>" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            \(csrfToken.map { "<meta name=\"csrf-token\" content=\"\(HTML.escape($0))\">" } ?? "")
            <title>\(HTML.escape(title)) · CareHub</title>
            <style nonce="\(nonce)">\(ConsoleStyle.css)</style>
            </head><body>
            <a class="skip" href="#main">Skip to the content</a>
            <header><p class="brand">CareHub</p>\(navigation)</header>
            <main id="main" tabindex="-1">
            \(main)
            </main>
            \(scriptTag)
            </body></html>
            """
    }

    /// A sentence shown above the content: an error (role="alert") or a confirmation.
    static func message(_ text: String?, isError: Bool = true) -> String {
        guard let text else { return "" }
        return isError ? "<p class=\"error\" role=\"alert\">\(HTML.escape(text))</p>" : "<p class=\"notice\" role=\"status\">\(HTML.escape(text))</p>"
    }
}
