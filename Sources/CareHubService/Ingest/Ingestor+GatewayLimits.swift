import CareHubCore
import CareHubStore
import Foundation

/// A gateway's limits (`GatewayLimits`): what it may have kept aside a day, and the incident it raises once a day
/// when a limit holds it back.
extension Ingestor {
    /// Keeps a message a limit (`limit`) held back as its length, SHA-256 and reason `quota`, or only counts it once
    /// the gateway's refused records for the day are used up; raises `quota_exceeded` the first time a day.
    func keepOverLimit(_ refused: RefusedMessage, sender: GatewaySender, limit: GatewayTraffic.Limit, at millis: Int64,
                       in burst: IngestBurst) throws {
        let transaction = burst.transaction
        try transaction.openTrafficDay(sender, at: millis)
        try reportOnce(limit, sender: sender, at: millis, in: burst)
        if try transaction.refusalFigures(sender, at: millis).records >= limits.refusedRecordsPerDay {
            try countOnly(sender, at: millis, in: burst)
            return
        }
        try transaction.keepDigest(refused, receivedAt: millis)
        try transaction.count(.quotaKept, sender, at: millis)
    }

    /// Holds the refused messages kept since `mark` to the sender's daily limits: past `refusedBytesPerDay` one
    /// keeps only its length, SHA-256 and reason `quota`; past `refusedRecordsPerDay` it is deleted and counted.
    func applyRefusalLimits(_ sender: GatewaySender, keptSince mark: Int, at millis: Int64, in burst: IngestBurst) throws {
        let transaction = burst.transaction
        let kept = try transaction.keptRefusals(since: mark)
        guard !kept.isEmpty else { return }
        try transaction.openTrafficDay(sender, at: millis)
        for refusal in kept {
            let figures = try transaction.refusalFigures(sender, at: millis)
            if figures.records >= limits.refusedRecordsPerDay {
                try transaction.dropRefused(refusal.seq)
                try countOnly(sender, at: millis, in: burst)
            } else if figures.bytes + refusal.bytes > limits.refusedBytesPerDay {
                let detail = RefusalReason.quota("\(sender) refused more than \(limits.refusedBytesPerDay) bytes today; "
                                                 + "it was refused as \(refusal.reason.code): \(refusal.reason.message)")
                try transaction.reduceToDigest(refusal.seq, reason: detail)
                try transaction.count(.quotaKept, sender, at: millis)
                try reportOnce(.refusedBytes, sender: sender, at: millis, in: burst)
            } else {
                try transaction.countKeptRefusal(sender, bytes: refusal.bytes, at: millis)
            }
        }
    }

    /// Past the day's refused records: the message is only counted, and the limit reported.
    private func countOnly(_ sender: GatewaySender, at millis: Int64, in burst: IngestBurst) throws {
        try burst.transaction.count(.quotaCounted, sender, at: millis)
        try reportOnce(.refusedRecords, sender: sender, at: millis, in: burst)
    }

    /// Raises one `quota_exceeded` incident the first time in a day a gateway meets `limit` (it joins one still
    /// open); the incident's home is the gateway's, or `hub` when it has none.
    private func reportOnce(_ limit: GatewayTraffic.Limit, sender: GatewaySender, at millis: Int64, in burst: IngestBurst) throws {
        guard try burst.transaction.markLimitReported(limit, sender: sender, at: millis) else { return }
        let what: String
        switch limit {
        case .devices: what = "already has \(limits.devicesPerHome) devices, the most a home may register automatically; messages from further new devices are kept as length and SHA-256 only"
        case .rate: what = "sends more than \(JSONText.number(limits.messagesPerSecond)) messages a second; the rest are kept as length and SHA-256 only"
        case .refusedBytes: what = "sent more than \(limits.refusedBytesPerDay) bytes of refused messages today; further refused messages are kept as length and SHA-256 only"
        case .refusedRecords: what = "sent more than \(limits.refusedRecordsPerDay) refused messages today; further ones are only counted (carehub status)"
        }
        let summary = "The gateway \(sender) \(what). Alarms are still raised. Check the gateway for a fault, a loop or a stolen password, "
            + "or raise the limit (limits: in the configuration) if the traffic is genuine."
        let home = sender.home.isEmpty ? "hub" : sender.home
        try burst.transaction.raise(IncidentDraft(home: home, kind: .quotaExceeded, device: sender.dialect, summary: summary,
                                                  at: Date(millisecondsSince1970: millis)),
                                    at: millis)
    }
}
