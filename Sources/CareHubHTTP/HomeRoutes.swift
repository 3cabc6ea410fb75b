import CareHubCore
import CareHubRecords
import CareHubStore
import Foundation
import Hummingbird

/// `/api/v1/homes`: every home at a glance, one home (recorded in the audit as viewed by the account), and the lead's
/// away, visit and back (audited as `carehub homes away|visit|back --by NAME` is).
struct HomeRoutes {
    let database: HubDatabase
    let policy: HTTPPolicy
    let timeZone: String

    func register(on api: RouterGroup<CareHubRequestContext>) {
        api.get("homes") { _, context in
            _ = try context.require(.carer)
            return JSONResponse.array(try HomeQueries(database: database).list().map(OutputRecord.init(home:)))
        }
        api.get("homes/{home}") { _, context in try show(context) }
        api.post("homes/{home}/away") { request, context in try await away(request, context) }
        api.post("homes/{home}/visit") { request, context in try await visit(request, context) }
        api.post("homes/{home}/back") { _, context in try back(context) }
    }

    func show(_ context: CareHubRequestContext) throws -> Response {
        let account = try context.require(.carer)
        let home = try context.parameters.require("home")
        let record = OutputRecord(home: try HomeQueries(database: database).show(home))
        try AccountStore(database: database).recordHomeViewed(home, by: account.name, at: Date())
        return JSONResponse.object(record)
    }

    struct AwayBody: Decodable { var until: String }
    struct VisitBody: Decodable { var `for`: String }

    func away(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        let account = try context.require(.lead)
        let home = try knownHome(context)
        let body = try await JSONBody.decode(AwayBody.self, from: request, limit: policy.maximumBodyBytes, example: "{\"until\": \"2026-12-27T12:00:00Z\"}")
        guard let end = TimeText.future(body.until, timeZone: timeZone), end > Date() else {
            throw HTTPProblem(.badRequest, "The until time \"\(body.until.prefix(40))\" must be in the future: 2026-12-27, 2026-12-27T12:00 (local) or 2026-12-27T12:00:00Z.")
        }
        try HomeModeStore(database: database).set(home: home, holidayUntil: end, visitUntil: nil, by: account.name, at: Date())
        return JSONResponse.object(OutputRecord(home: try HomeQueries(database: database).show(home)))
    }

    func visit(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        let account = try context.require(.lead)
        let home = try knownHome(context)
        let body = try await JSONBody.decode(VisitBody.self, from: request, limit: policy.maximumBodyBytes, example: "{\"for\": \"90m\"}")
        let seconds = try Self.visitDuration(body.for)
        try HomeModeStore(database: database).set(home: home, holidayUntil: nil, visitUntil: Date().addingTimeInterval(seconds), by: account.name, at: Date())
        return JSONResponse.object(OutputRecord(home: try HomeQueries(database: database).show(home)))
    }

    func back(_ context: CareHubRequestContext) throws -> Response {
        let account = try context.require(.lead)
        let home = try knownHome(context)
        try HomeModeStore(database: database).set(home: home, holidayUntil: nil, visitUntil: nil, by: account.name, at: Date())
        return JSONResponse.object(OutputRecord(home: try HomeQueries(database: database).show(home)))
    }

    /// A visit's length (`45m`, `2h`, `1h30m`), at most 12 h; a 400 problem otherwise.
    static func visitDuration(_ text: String) throws -> TimeInterval {
        guard let seconds = TimeText.duration(text), seconds > 0, seconds <= 12 * 3600 else {
            throw HTTPProblem(.badRequest, "The duration \"\(text.prefix(40))\" must be such as 45m, 2h or 1h30m, at most 12h.")
        }
        return seconds
    }

    private func knownHome(_ context: CareHubRequestContext) throws -> String {
        let home = try context.parameters.require("home")
        try HomeQueries(database: database).requireKnown(home)
        return home
    }
}
