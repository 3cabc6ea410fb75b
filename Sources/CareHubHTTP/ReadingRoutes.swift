import CareHubRecords
import CareHubStore
import Foundation
import Hummingbird

/// `/api/v1/events`, `/api/v1/status` and `/api/v1/users`: what the hub stored, its counts, and (for administrators)
/// its accounts.
struct ReadingRoutes {
    let database: HubDatabase
    let timeZone: String

    func register(on api: RouterGroup<CareHubRequestContext>) {
        api.get("events") { request, context in try events(request, context) }
        api.get("status") { _, context in
            _ = try context.require(.carer)
            return JSONResponse.object(try OutputRecord.status(of: database))
        }
        api.get("users") { _, context in
            _ = try context.require(.admin)
            return JSONResponse.array(try AccountStore(database: database).list().map(OutputRecord.init(account:)))
        }
    }

    /// Newest first; `home`, `since` (as the command line's `--since`) and `limit` (default 100, at most 1,000).
    func events(_ request: Request, _ context: CareHubRequestContext) throws -> Response {
        _ = try context.require(.carer)
        let query = QueryParameters(request: request)
        let home = query.text("home")
        if let home { try HomeQueries(database: database).requireKnown(home) }
        let since = try query.since(now: Date(), timeZone: timeZone)
        let limit = try query.limit(fallback: 100, maximum: 1_000)
        return JSONResponse.array(try EventQueries(database: database).list(home: home, since: since, limit: limit).map(OutputRecord.init(event:)))
    }
}
