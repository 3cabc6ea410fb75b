import CareHubCore
import CareHubRecords
import Foundation
import Hummingbird

/// A request's query parameters, read into the hub's types; a 400 problem naming the parameter for a value that
/// is not one of them.
struct QueryParameters {
    let request: Request

    func text(_ name: String) -> String? {
        request.uri.queryParameters.get(name)
    }

    /// `limit`: 1 to `maximum`, `fallback` when absent.
    func limit(fallback: Int, maximum: Int) throws -> Int {
        guard let text = text("limit") else { return fallback }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw HTTPProblem.badParameter("The parameter limit=\(text.prefix(40)) must be a whole number from 1 to \(maximum).")
        }
        return value
    }

    func value<Value: RawRepresentable & CaseIterable>(_ name: String, as type: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let text = text(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw HTTPProblem.badParameter("The parameter \(name)=\(text.prefix(40)) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }

    /// `since`: an RFC 3339 time, a date (midnight in `timeZone`) or an age such as `2h`, as the command line takes it.
    func since(now: Date, timeZone: String) throws -> Date? {
        guard let text = text("since") else { return nil }
        guard let date = TimeText.since(text, now: now, timeZone: timeZone) else {
            throw HTTPProblem.badParameter("The parameter since=\(text.prefix(40)) must be an RFC 3339 time (2026-11-29T06:00:00Z), a date (2026-11-29) or an age (2h, 7d).")
        }
        return date
    }
}

extension Parameters {
    /// The `{id}` path parameter as an incident id; a 400 problem when it is not a number.
    func incidentID() throws -> Int64 {
        let text = get("id") ?? ""
        guard let id = Int64(text), id > 0 else {
            throw HTTPProblem.badParameter("The incident id \"\(text.prefix(40))\" must be a positive whole number.")
        }
        return id
    }
}
