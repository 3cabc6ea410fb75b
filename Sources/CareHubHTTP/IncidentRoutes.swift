import CareHubCore
import CareHubRecords
import CareHubStore
import Foundation
import Hummingbird

/// `/api/v1/incidents`: the queue, one incident with its timeline, and the staff actions. Every action is recorded
/// in the incident's timeline under the account's name, exactly as `carehub incidents … --by NAME` records it.
struct IncidentRoutes {
    let database: HubDatabase
    let policy: HTTPPolicy

    /// `state=`: as the command line's `--state`, without its `active` (the default here is open and acknowledged).
    enum StateParameter: String, CaseIterable {
        case open, acknowledged, resolved, all
    }

    func register(on api: RouterGroup<CareHubRequestContext>) {
        api.get("incidents") { request, context in try list(request, context) }
        api.get("incidents/{id}") { _, context in try show(context) }
        api.post("incidents/{id}/ack") { request, context in try await acknowledge(request, context) }
        api.post("incidents/{id}/note") { request, context in try await note(request, context) }
        api.post("incidents/{id}/resolve") { request, context in try await resolve(request, context) }
        api.post("incidents/{id}/assign") { request, context in try await assign(request, context) }
    }

    func list(_ request: Request, _ context: CareHubRequestContext) throws -> Response {
        _ = try context.require(.carer)
        let query = QueryParameters(request: request)
        let state = try query.value("state", as: StateParameter.self)
        let states: [IncidentState]? = switch state {
        case nil: [.open, .acknowledged]
        case .all: nil
        case .some(let one): IncidentState(rawValue: one.rawValue).map { [$0] }
        }
        let home = query.text("home")
        if let home { try HomeQueries(database: database).requireKnown(home) }
        let filter = IncidentFilter(states: states, home: home, kind: try query.value("kind", as: IncidentKind.self)?.rawValue,
                                    priority: try query.value("priority", as: Priority.self))
        let records = try IncidentQueries(database: database).list(filter, limit: try query.limit(fallback: 100, maximum: 1_000))
        let now = Date()
        return JSONResponse.array(records.map { OutputRecord(incident: $0, now: now) })
    }

    func show(_ context: CareHubRequestContext) throws -> Response {
        _ = try context.require(.carer)
        return JSONResponse.object(try IncidentDetail.load(try context.parameters.incidentID(), from: database).record(now: Date()))
    }

    struct AcknowledgeBody: Decodable { var note: String? }
    struct NoteBody: Decodable { var text: String }
    struct ResolveBody: Decodable { var outcome: String; var note: String? }
    struct AssignBody: Decodable { var to: String }

    func acknowledge(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        try await act(request, context, role: .carer, example: "{\"note\": \"Calling the resident now\"}", emptyIs: AcknowledgeBody()) { store, id, name, body in
            try store.acknowledge(id, by: name, note: try body.note.map { try Self.checkedNote($0, field: "note") }, at: Date())
        }
    }

    func note(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        try await act(request, context, role: .carer, example: "{\"text\": \"Daughter on her way\"}") { (store, id, name, body: NoteBody) in
            try store.note(id, by: name, text: try Self.checkedNote(body.text, field: "text"), at: Date())
        }
    }

    func resolve(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        try await act(request, context, role: .carer, example: "{\"outcome\": \"resident_ok\", \"note\": \"…\"}") { (store, id, name, body: ResolveBody) in
            guard let outcome = Outcome(rawValue: body.outcome), Outcome.staffChoices.contains(outcome) else {
                throw HTTPProblem(.badRequest, "The outcome \"\(body.outcome.prefix(40))\" must be one of \(Outcome.staffChoices.map(\.rawValue).joined(separator: ", ")).")
            }
            return try store.resolve(id, by: name, outcome: outcome, note: try body.note.map { try Self.checkedNote($0, field: "note") }, at: Date())
        }
    }

    func assign(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        try await act(request, context, role: .lead, example: "{\"to\": \"Jo Evans\"}") { (store, id, name, body: AssignBody) in
            if let problem = AccountStore.nameProblem(body.to) { throw HTTPProblem(.badRequest, "The assignee cannot be used: \(problem).") }
            return try store.assign(id, to: body.to, by: name, at: Date())
        }
    }

    /// A staff action on the incident `{id}` by an account with at least `role`, with a JSON body: the incident record
    /// after it. The store records the action under the account's name.
    private func act<Body: Decodable>(
        _ request: Request, _ context: CareHubRequestContext, role: AccountRole, example: String, emptyIs empty: Body? = nil,
        _ perform: (IncidentStore, Int64, String, Body) throws -> IncidentRecord
    ) async throws -> Response {
        let account = try context.require(role)
        let id = try context.parameters.incidentID()
        let body = try await JSONBody.decode(Body.self, from: request, limit: policy.maximumBodyBytes, example: example, emptyIs: empty)
        let record = try perform(IncidentStore(database: database), id, account.name, body)
        return JSONResponse.object(OutputRecord(incident: record, now: Date()))
    }

    /// A note of 1 to 2,000 characters, as the command line takes it.
    static func checkedNote(_ text: String, field: String) throws -> String {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, text.count <= 2_000 else {
            throw HTTPProblem(.badRequest, "The \(field) must be 1 to 2,000 characters.")
        }
        return text
    }
}
