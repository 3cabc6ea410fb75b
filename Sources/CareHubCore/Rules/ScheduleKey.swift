/// Everything a home's next deadline depends on (`HomeRuleState.scheduleKey`): compared before and after an
/// event, it tells whether the deadline must be recomputed. A plain struct, so that the comparison allocates
/// nothing: it is made twice for every event.
struct ScheduleKey: Equatable {
    var quietestDevice: Int64?
    var coldest: Int64?
    var hottest: Int64?
    var gatewayOfflineSince: Int64?
    var lastActivityAt: Int64?
    var lastActivityRoom: String?
    var lastActivityPlace: UInt8?
    var continuousDataSince: Int64?
    var exitDoorClosedAt: Int64?
    var awaySince: Int64?
    var awayEndedAt: Int64?
    var holidayUntil: Int64?
    var visitUntil: Int64?
    var bedEmptySince: Int64?
    var nightDoorOpenedAt: Int64?
    var lastFridgeOpenAt: Int64?
    var fridgeWatchSince: Int64?
    var hasFridgeSensor: Bool
    var raised: UInt32
    var silenceRaisedFor: Int64?
    var notUpCheckedThrough: Int64
    var bedtimeCheckedThrough: Int64?
    /// Days the learned routine has learned: a routine that becomes ready moves the silence's deadline.
    var routineReady: UInt16
}
