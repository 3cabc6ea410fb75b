import Foundation

/// The last five weeks of a home's days (`DaySummary`), the day being counted, and when each trend was last raised:
/// what `RoutineTrend` compares. About 450 bytes a home.
public struct DailyHistory: Sendable, Equatable, Codable {
    /// Complete days with some activity, oldest first; at most `RoutineTrend.recentDays + baselineDays`.
    public private(set) var days: [DaySummary] = []
    /// The day being counted.
    public private(set) var today: DaySummary
    /// Night visits from 23:00 on, which count for the night that ends tomorrow morning.
    var visitsTowardTomorrow: UInt8 = 0
    var lastBathroomAt: Int64?
    var lastKitchenAt: Int64?
    var bedSince: Int64?
    /// The local day each trend (`RoutineTrend.rawValue`) was last raised on.
    var lastRaised: [Int32] = Array(repeating: .min, count: RoutineTrend.allCases.count)

    static let capacity = RoutineTrend.recentDays + RoutineTrend.baselineDays
    /// Visits and uses closer together than this are one.
    static let separation: Int64 = 10 * 60_000

    public init(day: Int64) {
        today = DaySummary(day: day)
    }

    /// Moves on to local `day`, keeping the day just ended if it saw any activity, and returns the trends its end shows
    /// (each with its summary), those raised in the last week left out.
    mutating func roll(to day: Int64) -> [(trend: RoutineTrend, summary: String)] {
        guard day > Int64(today.day) else { return [] }
        var ended = today
        if ended.activity > 0 {
            days.append(ended)
            if days.count > Self.capacity { days.removeFirst(days.count - Self.capacity) }
        }
        ended = DaySummary(day: day)
        ended.nightVisits = day == Int64(today.day) + 1 ? visitsTowardTomorrow : 0
        visitsTowardTomorrow = 0
        today = ended
        return trends(on: day)
    }

    private mutating func trends(on day: Int64) -> [(trend: RoutineTrend, summary: String)] {
        guard days.count >= RoutineTrend.recentDays + RoutineTrend.minimumBaselineDays else { return [] }
        let recent = Array(days.suffix(RoutineTrend.recentDays))
        let baseline = Array(days.dropLast(RoutineTrend.recentDays).suffix(RoutineTrend.baselineDays))
        var found: [(trend: RoutineTrend, summary: String)] = []
        for trend in RoutineTrend.allCases where Int64(lastRaised[trend.rawValue]) + RoutineTrend.quietDays <= day {
            if let summary = trend.finding(recent: recent, baseline: baseline) {
                lastRaised[trend.rawValue] = Int32(clamping: day)
                found.append((trend, summary))
            }
        }
        return found
    }

    /// Counts an activity at `instant` (local `minute` of day) in `place`.
    mutating func noteActivity(at instant: Int64, minute: Int, place: QuietContext.Place, nightWindow: LocalWindow) {
        today.activity = today.activity == .max ? .max : today.activity + 1
        switch place {
        case .bathroom where nightWindow.contains(minuteOfDay: minute):
            if instant - (lastBathroomAt ?? .min / 2) >= Self.separation {
                if minute >= nightWindow.start, nightWindow.start > nightWindow.end {
                    visitsTowardTomorrow = visitsTowardTomorrow &+ 1
                } else {
                    today.nightVisits = today.nightVisits &+ 1
                }
            }
            lastBathroomAt = instant
        case .bathroom:
            lastBathroomAt = instant
        case .kitchen:
            if instant - (lastKitchenAt ?? .min / 2) >= Self.separation { today.kitchenUses = today.kitchenUses &+ 1 }
            lastKitchenAt = instant
        default:
            break
        }
        // Up: about the home beyond the bedroom and a visit to the toilet.
        if today.wakeMinute < 0, place != .bedroom, place != .inBed, place != .bathroom, (5 * 60)..<(14 * 60) ~= minute {
            today.wakeMinute = Int16(minute)
        }
    }

    /// The bed pad reports `occupied` (true) or `empty` at `instant`; a stay counts on the day it ends.
    mutating func noteBed(occupied: Bool, at instant: Int64) {
        if occupied {
            bedSince = bedSince ?? instant
        } else if let since = bedSince {
            let minutes = Int((instant - since) / 60_000)
            today.bedMinutes = UInt16(clamping: Int(today.bedMinutes) + min(minutes, 24 * 60))
            bedSince = nil
        }
    }

    mutating func noteOuting() {
        today.outings = today.outings &+ 1
    }
}
