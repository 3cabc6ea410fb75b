/// SQLite's `synchronous` setting for the hub's writes (WAL mode).
///
/// `full` (default): a commit survives power loss once it returns. `normal`: a commit survives a crash of
/// the hub but the last transactions may be lost on power loss or a kernel crash; faster.
public enum SynchronousMode: String, Sendable, Codable, CaseIterable {
    case full, normal
}
