import Foundation

/// The listener's limits and timings. The defaults are what `carehub serve` uses and `docs/http.md` documents;
/// tests shorten the stream's timings.
public struct HTTPPolicy: Sendable {
    /// A browser session ends after this long without a request (12 h: a shift and its handover).
    public var sessionIdleLimit: TimeInterval = 12 * 3600
    /// Failed sign-ins allowed per account name in `signInWindow` before further attempts for it are refused (429).
    public var signInFailuresPerName = 5
    /// Failed sign-ins allowed per client address in `signInWindow` (a proxy's address counts for everyone behind it).
    public var signInFailuresPerAddress = 20
    /// The window failures are counted over (15 min).
    public var signInWindow: TimeInterval = 15 * 60
    /// How often the incident stream looks for new and changed incidents (issue 14: a new emergency on screen ≤ 1 s).
    public var streamPollInterval: TimeInterval = 0.2
    /// A comment line at least this often on an idle stream, so proxies and browsers keep it open (contract: ≤ 15 s).
    public var streamKeepAliveInterval: TimeInterval = 10
    /// A stream is closed after this long; the browser's EventSource reconnects with `Last-Event-ID` and misses nothing.
    public var streamLifetime: TimeInterval = 3600
    /// The largest request body read (a note of 2,000 characters fits many times over).
    public var maximumBodyBytes = 64 * 1024

    public init() {}
}
