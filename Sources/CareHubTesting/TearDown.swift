/// Runs `body` with `fixture`, then `tearDown`, also when `body` throws: the scoped shape of the test fixtures.
///
/// ```swift
/// static func with<T>(_ body: (HubFixture) async throws -> T) async throws -> T {
///     try await withTearDown(try await HubFixture(), tearDown: { await $0.tearDown() }, body)
/// }
/// ```
public func withTearDown<Fixture, Result>(
    _ fixture: Fixture, tearDown: (Fixture) async -> Void, _ body: (Fixture) async throws -> Result
) async throws -> Result {
    do {
        let result = try await body(fixture)
        await tearDown(fixture)
        return result
    } catch {
        await tearDown(fixture)
        throw error
    }
}
