import Foundation

/// Counts failed sign-ins per account name and per client address over a sliding window, and refuses further
/// attempts once either has too many (`HTTPPolicy`). A success clears the name's failures. Kept in memory: a restart
/// forgets them, which costs an attacker a restart of the hub per window.
actor SignInLimiter {
    private let policy: HTTPPolicy
    private var failuresByName: [String: [Date]] = [:]
    private var failuresByAddress: [String: [Date]] = [:]

    init(policy: HTTPPolicy) {
        self.policy = policy
    }

    /// Seconds until an attempt for this name from this address may be made, or nil if it may be made now.
    func retryAfter(name: String, address: String, now: Date) -> TimeInterval? {
        prune(now: now)
        let byName = failuresByName[name] ?? []
        let byAddress = failuresByAddress[address] ?? []
        // Over a limit, the wait lasts until the oldest failure counted leaves the window.
        let waits = [(byName, policy.signInFailuresPerName), (byAddress, policy.signInFailuresPerAddress)].compactMap { failures, limit in
            failures.count >= limit ? failures.first.map { $0.addingTimeInterval(policy.signInWindow).timeIntervalSince(now) } : nil
        }
        return waits.max().map { max(1, $0) }
    }

    func recordFailure(name: String, address: String, now: Date) {
        failuresByName[name, default: []].append(now)
        failuresByAddress[address, default: []].append(now)
    }

    func recordSuccess(name: String) {
        failuresByName[name] = nil
    }

    private func prune(now: Date) {
        let start = now.addingTimeInterval(-policy.signInWindow)
        func recent(_ dates: [Date]) -> [Date]? {
            let kept = dates.filter { $0 > start }
            return kept.isEmpty ? nil : kept
        }
        failuresByName = failuresByName.compactMapValues(recent)
        failuresByAddress = failuresByAddress.compactMapValues(recent)
    }
}
