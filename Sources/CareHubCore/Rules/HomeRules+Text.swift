import Foundation

/// How the rules word things for care staff.
extension HomeRules {
    static func describe(_ event: SensorEvent, room: String?) -> String {
        let place = room.map { " in the \($0)" } ?? ""
        switch event.type {
        case .motion: return "movement\(place)"
        case .door: return "\(room.map { "\($0) " } ?? "")door \(event.value.text ?? "used")"
        case .bed: return "bed \(event.value.text ?? "used")"
        case .chair: return "chair \(event.value.text ?? "used")"
        case .power: return "appliance use\(place) (\(event.device))"
        default: return "\(event.type.rawValue)\(place)"
        }
    }

    /// "4 h 05 min", "45 min".
    static func duration(_ milliseconds: Int64) -> String {
        let minutes = max(0, milliseconds / 60_000)
        return minutes >= 60 ? "\(minutes / 60) h \(String(format: "%02d", minutes % 60)) min" : "\(minutes) min"
    }

    static func degrees(_ value: Double) -> String { String(format: "%.1f °C", value) }

    static func list(_ names: [String]) -> String {
        names.count <= 5 ? names.joined(separator: ", ") : names.prefix(5).joined(separator: ", ") + " and \(names.count - 5) more"
    }
}
