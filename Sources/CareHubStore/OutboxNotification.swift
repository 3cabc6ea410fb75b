import Foundation

/// What one outbox row announces, as data. The notifier renders it as an MQTT topic and a JSON payload
/// (contract sections 1 and 4); the store never builds either.
///
/// ```swift
/// try OutboxStore.enqueue(.receipt(EventReceipt(home: "flat-12", eventID: "p1", storedAt: now)), queuedAt: millis, in: db)
/// ```
public enum OutboxNotification: Sendable, Equatable {
    /// An alarm event is durably stored; sent again for every re-sent copy of it.
    case receipt(EventReceipt)
    /// An incident opened, was pressed again, escalated, was acknowledged or was resolved.
    case alert(IncidentAlert)

    /// Which of the two it is: stored in the row's `notification` column.
    public enum Kind: String, Sendable, CaseIterable {
        case receipt, alert
    }

    public var kind: Kind {
        switch self {
        case .receipt: .receipt
        case .alert: .alert
        }
    }

    /// The home it is about: its MQTT topic is under this home.
    public var home: String {
        switch self {
        case .receipt(let receipt): receipt.home
        case .alert(let alert): alert.home
        }
    }
}

/// The hub has durably stored an alarm event (`carehub/v1/<home>/receipt`).
public struct EventReceipt: Sendable, Equatable {
    public var home: String
    public var eventID: String
    /// When the hub first stored the event, the same for every copy.
    public var storedAt: Date

    public init(home: String, eventID: String, storedAt: Date) {
        self.home = home
        self.eventID = eventID
        self.storedAt = storedAt
    }
}
