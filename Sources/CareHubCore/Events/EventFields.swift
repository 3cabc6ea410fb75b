import Foundation

/// The members of an event payload that the contract gives a meaning (section 2), as parsed JSON; every
/// other member is ignored. Both the general JSON parser and the contract payload scanner fill one of these,
/// so that one copy of the field checks (`EventDecoder`) judges what either read.
struct EventFields {
    var id: JSONValue?
    var ts: Timestamp?
    var type: JSONValue?
    var value: JSONValue?
    var room: JSONValue?
    var battery: JSONValue?
    var seq: JSONValue?
    var test: JSONValue?

    init() {}

    /// `ts` as parsed JSON, or, when the scanner found it a plain string that is an RFC 3339 time, the instant it
    /// names (the same `RFC3339` parse the checks would make of the string, without making the string).
    enum Timestamp {
        case value(JSONValue)
        case instant(Date)
    }

    /// The known members of a parsed object.
    init(_ members: [String: JSONValue]) {
        id = members["id"]
        ts = members["ts"].map(Timestamp.value)
        type = members["type"]
        value = members["value"]
        room = members["room"]
        battery = members["battery"]
        seq = members["seq"]
        test = members["test"]
    }
}
