import Foundation

/// Where a quiet began and at what time of day: what a learned routine keys on. A quiet after kitchen activity at
/// 10:00 is judged against this home's other quiets after kitchen activity in the morning, not against its naps.
public struct QuietContext: Sendable, Equatable {
    /// Where the last activity before the quiet was, as the rules' room lists classify it.
    public enum Place: UInt8, Sendable, CaseIterable {
        case bathroom, kitchen, bedroom, lounge, entrance, elsewhere
        /// A bed or chair pad reporting `occupied`: lying or sitting, where long stillness is expected.
        case inBed, inChair

        /// Words for care staff: "after kitchen activity", "since getting into bed".
        public var phrase: String {
            switch self {
            case .bathroom: "after bathroom or toilet activity"
            case .kitchen: "after kitchen activity"
            case .bedroom: "after bedroom activity"
            case .lounge: "after activity in the lounge"
            case .entrance: "after activity by the front door"
            case .elsewhere: "after activity in that room"
            case .inBed: "once in bed"
            case .inChair: "once sitting down"
            }
        }
    }

    /// The four parts of a local day a routine tells apart.
    public enum DayPart: UInt8, Sendable, CaseIterable {
        /// 06:00–12:00, 12:00–18:00, 18:00–23:00, 23:00–06:00.
        case morning, afternoon, evening, night

        public init(minuteOfDay minute: Int) {
            switch minute {
            case 360..<720: self = .morning
            case 720..<1080: self = .afternoon
            case 1080..<1380: self = .evening
            default: self = .night
            }
        }

        public var phrase: String {
            switch self {
            case .morning: "in the morning"
            case .afternoon: "in the afternoon"
            case .evening: "in the evening"
            case .night: "at night"
            }
        }
    }

    public var place: Place
    public var part: DayPart

    public init(place: Place, part: DayPart) {
        self.place = place
        self.part = part
    }

    /// The context's index among all of them (place-major).
    var index: Int { Int(place.rawValue) * DayPart.allCases.count + Int(part.rawValue) }
    public static let count = Place.allCases.count * DayPart.allCases.count
}

extension RuleSettings {
    /// The place an activity puts the resident in: a pad's `occupied`, else its room by the room lists.
    public func quietPlace(type: EventType, value: String?, room: String?) -> QuietContext.Place {
        if value == "occupied" {
            if type == .bed { return .inBed }
            if type == .chair { return .inChair }
        }
        guard let room else { return .elsewhere }
        if bathroomRooms.contains(room) { return .bathroom }
        if bedroomRooms.contains(room) { return .bedroom }
        if exitDoorRooms.contains(room) || hallRooms.contains(room) { return .entrance }
        if kitchenRooms.contains(room) || fridgeRooms.contains(room) { return .kitchen }
        if loungeRooms.contains(room) { return .lounge }
        return .elsewhere
    }
}
