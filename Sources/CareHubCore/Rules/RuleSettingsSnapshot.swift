/// The engine's rule settings, held immutably in one object so that a home's settings can be lent to the rules
/// instead of copied: `RuleSettings` holds eight sets and tables, and copying it cost a tenth of a replay's time.
/// A change of settings (registry allowances) makes a new snapshot.
final class RuleSettingsSnapshot: Sendable {
    let book: RuleSettingsBook
    /// Every home has the defaults: no per-home settings and no registry allowances.
    private let uniform: Bool

    init(_ book: RuleSettingsBook) {
        self.book = book
        uniform = book.homes.isEmpty && book.deviceOverrides.isEmpty
    }

    /// Calls `body` with `home`'s settings: the defaults lent in place when every home has them, else the home's own.
    func withSettings<T>(for home: String, _ body: (RuleSettings) -> T) -> T {
        uniform ? body(book.defaults) : body(book.settings(for: home))
    }
}
