/// A hub-wide ingest counter (`counters` table, shown by `carehub status`).
public enum IngestCounter: String, Sendable, CaseIterable {
    /// A message that stored nothing new: an event id met again, a mapped duplicate, a redelivery.
    case duplicates
    /// A copy the broker redelivered of a message already stored.
    case redeliveries
    /// The persistent session's copy of an alarm the live lane already handled.
    case liveCopies = "live_copies"
    /// A mapped message about nothing in the home (a bridge log, a route marked ignore).
    case ignoredMessages = "ignored_messages"
}
