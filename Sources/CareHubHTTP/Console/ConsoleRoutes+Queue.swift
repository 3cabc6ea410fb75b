import CareHubCore
import CareHubRecords
import CareHubStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// The queue shows this many incidents, the most urgent and oldest (the API's first page), and says how many more.
    static let queueLength = 100

    /// `GET /`: open and acknowledged incidents, most urgent and oldest first (the API's query), each with its
    /// acknowledge and resolve forms; `QueueScript` keeps it live.
    func queuePage(_ context: CareHubRequestContext, message: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        let account = try context.require(.carer)
        let queries = IncidentQueries(database: database)
        let incidents = try queries.list(IncidentFilter(states: [.open, .acknowledged]), limit: Self.queueLength)
        let total = incidents.count < Self.queueLength ? incidents.count : try queries.count(states: [.open, .acknowledged])
        let more = total > incidents.count
            ? "<p class=\"notice\">The \(incidents.count) most urgent of \(total) open and acknowledged incidents are shown; the rest appear as these are resolved.</p>"
            : ""
        let table = QueueTable(csrfToken: context.csrfToken ?? "", clock: ConsoleClock(timeZone: timeZone))
        let main = """
            <h1>Queue</h1>
            \(ConsolePage.message(message))
            <p id="live-state" hidden></p>
            <p id="announce" class="notice" role="status" aria-live="assertive" aria-atomic="true" hidden></p>
            <p class="check"><input type="checkbox" id="sound"><label for="sound">Play a sound when a new emergency arrives</label></p>
            \(more)
            <p id="empty"\(incidents.isEmpty ? "" : " hidden")>Nothing needs attention.</p>
            <table class="cards" id="queue">
            <caption class="visually-hidden">Open and acknowledged incidents, most urgent and oldest first</caption>
            <thead><tr><th scope="col">Priority</th><th scope="col">What</th><th scope="col">Home</th><th scope="col">Opened</th>
            <th scope="col">State</th><th scope="col">Actions</th></tr></thead>
            <tbody>\(incidents.map { table.row($0) }.joined(separator: "\n"))</tbody>
            </table>
            <template id="row-template">\(table.row(nil))</template>
            """
        return ConsolePage(title: "Queue", account: account, csrfToken: context.csrfToken, main: main, script: QueueScript.source,
                           status: status).response()
    }

    /// `POST /incidents/{id}/ack` (form: `note`, optional): acknowledges in one step, then back to the queue.
    func acknowledge(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        try await answering(on: { try queuePage(context, message: $0, status: $1) }) {
            let account = try context.require(.carer)
            let id = try context.parameters.incidentID()
            let form = try await form(of: request)
            let note = try form["note"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
                .map { try IncidentRoutes.checkedNote($0, field: "note") }
            _ = try IncidentStore(database: database).acknowledge(id, by: account.name, note: note, at: Date())
            return Self.seeOther("/#incident-\(id)")
        }
    }

    /// `POST /incidents/{id}/resolve` (form: `outcome`, one of the staff outcomes, and an optional `note`).
    func resolve(_ request: Request, _ context: CareHubRequestContext) async throws -> Response {
        try await answering(on: { try queuePage(context, message: $0, status: $1) }) {
            let account = try context.require(.carer)
            let id = try context.parameters.incidentID()
            let form = try await form(of: request)
            guard let outcome = form["outcome"].flatMap(Outcome.init(rawValue:)), Outcome.staffChoices.contains(outcome) else {
                throw HTTPProblem(.badRequest, "Choose how the incident ended: one of \(Outcome.staffChoices.map(\.label).joined(separator: ", ")).")
            }
            let note = try form["note"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
                .map { try IncidentRoutes.checkedNote($0, field: "note") }
            _ = try IncidentStore(database: database).resolve(id, by: account.name, outcome: outcome, note: note, at: Date())
            return Self.seeOther("/")
        }
    }
}

extension Outcome {
    /// The outcome as the resolve form offers it.
    var label: String {
        switch self {
        case .residentOK: "resident is OK"
        case .visited: "visited"
        case .falseAlarm: "false alarm"
        case .ambulance: "ambulance called"
        case .deviceFault: "device fault"
        case .other: "other"
        case .cleared: "cleared by itself"
        }
    }
}
