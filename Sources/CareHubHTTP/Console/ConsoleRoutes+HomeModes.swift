import CareHubStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// `POST /homes/{home}/visit` (form: `for`, such as `1h`): a lead marks a staff visit, so the rules expect the
    /// activity; audited under the lead's name, as the API's visit is.
    func visit(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        try await answering(on: { try homePage(context, message: $0, status: $1) }) {
            let account = try context.require(.lead)
            let home = try knownHome(context)
            let seconds = try HomeRoutes.visitDuration(try await form(of: request)["for"] ?? "")
            try HomeModeStore(database: database).set(home: home, holidayUntil: nil, visitUntil: Date().addingTimeInterval(seconds),
                                                      by: account.name, at: Date())
            return Self.seeOther("/homes/\(HTML.pathSegment(home))")
        }
    }

    /// `POST /homes/{home}/back`: a lead ends a visit or an away.
    func back(_ context: CareHubRequestContext) async throws -> Response {
        try await answering(on: { try homePage(context, message: $0, status: $1) }) {
            let account = try context.require(.lead)
            let home = try knownHome(context)
            try HomeModeStore(database: database).set(home: home, holidayUntil: nil, visitUntil: nil, by: account.name, at: Date())
            return Self.seeOther("/homes/\(HTML.pathSegment(home))")
        }
    }

    private func knownHome(_ context: CareHubRequestContext) throws -> String {
        let home = try context.parameters.require("home")
        try HomeQueries(database: database).requireKnown(home)
        return home
    }
}
