/// The members of an event payload that the contract gives a meaning (section 2), as parsed JSON; every
/// other member is ignored. Both the general JSON parser and the contract payload scanner fill one of these,
/// so that one copy of the field checks (`EventDecoder`) judges what either read.
struct EventFields {
    var id: JSONValue?
    var ts: JSONValue?
    var type: JSONValue?
    var value: JSONValue?
    var room: JSONValue?
    var battery: JSONValue?
    var seq: JSONValue?
    var test: JSONValue?

    init() {}

    /// The known members of a parsed object.
    init(_ members: [String: JSONValue]) {
        id = members["id"]
        ts = members["ts"]
        type = members["type"]
        value = members["value"]
        room = members["room"]
        battery = members["battery"]
        seq = members["seq"]
        test = members["test"]
    }
}
