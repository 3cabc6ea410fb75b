import CareHubCore
import CareHubRecords
import CareHubStore
import Foundation

/// The queue's rows: one incident with its acknowledge form (while open) and its resolve form. `row(nil)` is the
/// template the live script fills for an incident it hears of: `__ID__` stands for the id in its ids and actions.
struct QueueTable {
    let csrfToken: String
    let clock: ConsoleClock

    func row(_ incident: IncidentRecord?) -> String {
        let id = incident.map { String($0.id) } ?? "__ID__"
        let priority = incident?.priority.rawValue ?? "routine"
        let home = incident?.home ?? ""
        let acknowledged = incident?.acknowledgedBy.map { " by " + $0 } ?? ""
        let isOpen = incident?.state != .acknowledged
        let csrf = "<input type=\"hidden\" name=\"csrf_token\" value=\"\(HTML.escape(csrfToken))\">"
        let outcomes = Outcome.staffChoices.map { "<option value=\"\($0.rawValue)\">\(HTML.escape($0.label))</option>" }.joined()
        return """
            <tr id="incident-\(id)" data-id="\(id)" data-rank="\(incident?.priority.rank ?? 2)" \
            data-opened="\(incident?.openedAt.millisecondsSince1970 ?? 0)">
            <td data-label="Priority"><span class="badge p-\(priority)" data-field="priority">\(priority)</span></td>
            <td data-label="What"><strong data-field="kind">\(HTML.escape(incident?.kind ?? ""))</strong><br>\
            <span data-field="summary">\(HTML.escape(incident?.summary ?? ""))</span></td>
            <td data-label="Home"><a data-field="home" href="/homes/\(HTML.pathSegment(home))">\(HTML.escape(home))</a></td>
            <td data-label="Opened" data-field="opened">\(incident.map { clock.element($0.openedAt) } ?? "")</td>
            <td data-label="State"><span data-field="state">\(incident?.state.rawValue ?? "open")</span>\
            <span data-field="acknowledged">\(HTML.escape(acknowledged))</span></td>
            <td data-label="Actions">
            <form method="post" action="/incidents/\(id)/ack" class="inline ack"\(isOpen ? "" : " hidden")>\(csrf)
            <span><label for="ack-note-\(id)">Note (optional)</label><input id="ack-note-\(id)" name="note" maxlength="2000"></span>
            <button type="submit">Acknowledge</button></form>
            <form method="post" action="/incidents/\(id)/resolve" class="inline resolve">\(csrf)
            <span><label for="outcome-\(id)">Outcome</label><select id="outcome-\(id)" name="outcome">\(outcomes)</select></span>
            <span><label for="resolve-note-\(id)">Note (optional)</label><input id="resolve-note-\(id)" name="note" maxlength="2000"></span>
            <button type="submit" class="secondary">Resolve</button></form>
            </td></tr>
            """
    }
}
