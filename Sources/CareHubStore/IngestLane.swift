/// Which connection an `IngestHandler` serves.
public enum IngestLane: String, Sendable, Equatable {
    /// The hub's persistent session: everything, in order, with the backlog the broker kept while it was away.
    case persistent
    /// The clean-session live lane: only what is published now, of which only alarms are stored (at once); the rest
    /// is left to the persistent session, which also brings each alarm again, as a duplicate.
    case live
}
