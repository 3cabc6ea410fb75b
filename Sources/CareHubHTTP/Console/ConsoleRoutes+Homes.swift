import CareHubCore
import CareHubRecords
import CareHubStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// `GET /homes`: every home's state at a glance, homes with open incidents first.
    func homesPage(_ context: CareHubRequestContext) throws -> Response {
        let account = try context.require(.carer)
        let homes = try HomeQueries(database: database).list().sorted { ($0.openIncidents > 0 ? 0 : 1, $0.id) < ($1.openIncidents > 0 ? 0 : 1, $1.id) }
        let clock = ConsoleClock(timeZone: timeZone)
        let items = homes.map { home in
            let incidents = home.openIncidents == 0 ? "no open incidents"
                : "<strong>\(home.openIncidents) open \(home.openIncidents == 1 ? "incident" : "incidents")</strong>"
            let last = home.lastActivityAt.map { "last active \(clock.element($0))" + (home.lastActivityRoom.map { " in " + HTML.escape($0) } ?? "") }
                ?? "no activity seen"
            return """
                <li\(home.openIncidents > 0 ? " class=\"alarm\"" : "")><h2><a href="/homes/\(HTML.pathSegment(home.id))">\(HTML.escape(home.id))</a></h2>
                <p>\(HTML.escape(home.status)) · \(incidents)<br>\(last)</p></li>
                """
        }
        let main = """
            <h1>Homes</h1>
            \(homes.isEmpty ? "<p>No homes yet: a home appears when its gateway first reports.</p>" : "")
            <ul class="state-list">\(items.joined(separator: "\n"))</ul>
            """
        return ConsolePage(title: "Homes", account: account, csrfToken: context.csrfToken, main: main).response()
    }

    /// `GET /homes/{home}`: who and where, open incidents, today's heat map, the last four weeks, the learned routine, and
    /// device health.
    /// Opening it is recorded in the audit as the API's home view is. A lead also sees the visit and back buttons.
    func homePage(_ context: CareHubRequestContext, message: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        let account = try context.require(.carer)
        let id = try context.parameters.require("home")
        let home = try HomeQueries(database: database).show(id)
        try AccountStore(database: database).recordHomeViewed(id, by: account.name, at: Date())
        let clock = ConsoleClock(timeZone: home.timeZone)
        let now = Date()
        let activity = try HomeQueries(database: database).activityByRoomAndHour(home: id, from: clock.startOfDay(now), to: now.addingTimeInterval(1))
        let incidents = try IncidentQueries(database: database).list(IncidentFilter(states: [.open, .acknowledged], home: id), limit: 100)
        let state = try RulesStore(database: database).state(of: id)
        let history = state?.history?.days.suffix(28) ?? []
        let devices = try DeviceQueries(database: database).list(home: id)
        let page = HomePageSections(home: home, clock: clock, now: now)
        let main = """
            <h1>\(HTML.escape(id))</h1>
            \(ConsolePage.message(message))
            \(page.whoAndWhere)
            \(account.role.allows(.lead) ? page.modeForms(csrfToken: context.csrfToken ?? "") : "")
            <h2>Open incidents</h2>
            \(page.incidents(incidents))
            <h2 id="today">Today by room and hour</h2>
            \(HeatMap(activity: activity, clock: clock).svg)
            <h2>The last four weeks</h2>
            \(page.weeks(Array(history)))
            <h2 id="routine">Learned routine</h2>
            \(RoutineSection(state: state, settings: rules.settings(for: id)).html)
            <h2>Devices</h2>
            \(page.devices(devices))
            """
        return ConsolePage(title: id, account: account, csrfToken: context.csrfToken, main: main, status: status).response()
    }
}
