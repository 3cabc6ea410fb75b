import CareHubCore
import CareHubRecords
import CareHubStore
import Foundation

/// The sections of a home's page, as escaped markup: tables with headers, and the four weeks' activity as a bar
/// chart beside its table (the table is what a screen reader reads).
struct HomePageSections {
    let home: HomeSummary
    let clock: ConsoleClock
    let now: Date

    var whoAndWhere: String {
        var lines = ["<dt>State</dt><dd>\(HTML.escape(home.status))</dd>"]
        lines.append("<dt>Last activity</dt><dd>" + (home.lastActivityAt.map { clock.element($0, now: now) } ?? "none seen")
            + (home.lastActivityRoom.map { " in " + HTML.escape($0) } ?? "") + "</dd>")
        lines.append("<dt>Last message</dt><dd>" + (home.lastMessageAt.map { clock.element($0, now: now) } ?? "never") + "</dd>")
        if let gateway = home.gatewayState { lines.append("<dt>Gateway</dt><dd>\(HTML.escape(gateway))</dd>") }
        if let until = home.holidayUntil { lines.append("<dt>Away until</dt><dd>\(clock.element(until, now: now))</dd>") }
        if let until = home.visitUntil { lines.append("<dt>Visit until</dt><dd>\(clock.element(until, now: now))</dd>") }
        return "<dl>\(lines.joined())</dl>"
    }

    /// A lead's buttons: a staff visit of a given length (the rules expect the activity), and back to normal.
    func modeForms(csrfToken: String) -> String {
        let csrf = "<input type=\"hidden\" name=\"csrf_token\" value=\"\(HTML.escape(csrfToken))\">"
        let path = "/homes/\(HTML.pathSegment(home.id))"
        return """
            <form method="post" action="\(path)/visit" class="inline">\(csrf)
            <span><label for="visit-for">Visit length (such as 45m or 2h)</label><input id="visit-for" name="for" value="1h" required></span>
            <button type="submit">Start a visit</button></form>
            <form method="post" action="\(path)/back" class="inline">\(csrf)<button type="submit" class="secondary">Back to normal</button></form>
            """
    }

    func incidents(_ incidents: [IncidentRecord]) -> String {
        guard !incidents.isEmpty else { return "<p>None.</p>" }
        let rows = incidents.map { incident in
            """
            <tr><td data-label="Priority"><span class="badge p-\(incident.priority.rawValue)">\(incident.priority.rawValue)</span></td>
            <td data-label="What"><a href="/#incident-\(incident.id)">\(HTML.escape(incident.kind))</a>: \(HTML.escape(incident.summary))</td>
            <td data-label="Opened">\(clock.element(incident.openedAt, now: now))</td><td data-label="State">\(incident.state.rawValue)</td></tr>
            """
        }
        return Self.table(caption: "Open incidents", headers: ["Priority", "What", "Opened", "State"], rows: rows)
    }

    /// Activity per day, night toilet visits (until getting up, once counted so), the time up and about and the time in
    /// bed, from the rules' saved daily history.
    func weeks(_ days: [DaySummary]) -> String {
        guard !days.isEmpty else {
            return "<p>No complete days counted yet: the rules count a day once it has ended.</p>"
        }
        let rows = days.reversed().map { day in
            """
            <tr><td data-label="Day">\(Self.dayText(day.day))</td><td data-label="Activity">\(day.activity)</td>
            <td data-label="Night toilet visits">\(day.nightVisitsUntilUp ?? Int(day.nightVisits))</td>
            <td data-label="Up and about">\(day.wakeMinute >= 0 ? LocalWindow.format(Int(day.wakeMinute)) : "not seen")</td>
            <td data-label="Time in bed">\(day.bedMinutes > 0 ? "\(day.bedMinutes / 60) h \(day.bedMinutes % 60) min" : "no bed sensor reading")</td></tr>
            """
        }
        return activityChart(days) + Self.table(caption: "Each day of the last four weeks, newest first",
                                           headers: ["Day", "Activity", "Night toilet visits", "Up and about", "Time in bed"], rows: rows)
    }

    func devices(_ devices: [DeviceRecord]) -> String {
        guard !devices.isEmpty else { return "<p>No devices registered.</p>" }
        let rows = devices.map { device in
            let health = device.openIncidents.isEmpty ? "fine" : device.openIncidents.joined(separator: ", ")
            return """
                <tr><td data-label="Device">\(HTML.escape(device.name ?? device.id))</td><td data-label="Room">\(HTML.escape(device.room ?? ""))</td>
                <td data-label="Last seen">\(device.lastSeenAt.map { clock.element($0, now: now) } ?? "never")</td>
                <td data-label="Battery">\(device.battery.map { "\(Int($0.rounded())) %" } ?? "mains or unknown")</td>
                <td data-label="Health">\(HTML.escape(health))</td></tr>
                """
        }
        return Self.table(caption: "Devices and their health", headers: ["Device", "Room", "Last seen", "Battery", "Health"], rows: rows)
    }

    /// Activity per day as bars, oldest on the left; hidden from screen readers, which read the table.
    func activityChart(_ days: [DaySummary]) -> String {
        let most = max(1, days.map { Int($0.activity) }.max() ?? 1)
        let bar = 14, height = 80
        let bars = days.enumerated().map { index, day in
            let tall = max(1, Int(day.activity) * height / most)
            return "<rect x=\"\(index * (bar + 2))\" y=\"\(height - tall)\" width=\"\(bar)\" height=\"\(tall)\" fill=\"#0b4f8a\"></rect>"
        }
        return """
            <svg class="chart" aria-hidden="true" viewBox="0 0 \(days.count * (bar + 2)) \(height)" width="\(days.count * (bar + 2))" \
            height="\(height)" xmlns="http://www.w3.org/2000/svg">\(bars.joined())</svg>
            """
    }

    static func table(caption: String, headers: [String], rows: [String]) -> String {
        """
        <table class="cards"><caption class="visually-hidden">\(HTML.escape(caption))</caption>
        <thead><tr>\(headers.map { "<th scope=\"col\">\(HTML.escape($0))</th>" }.joined())</tr></thead>
        <tbody>\(rows.joined(separator: "\n"))</tbody></table>
        """
    }

    /// A local day number (days since 1970-01-01) as `Mon 30 Nov`.
    static func dayText(_ day: Int32) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = .gmt
        formatter.dateFormat = "EEE d MMM"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(day) * 86_400))
    }
}
