import CMosquitto

/// Process-wide libmosquitto initialisation, done once before the first client is made.
enum MosquittoLibrary {
    /// `mosquitto_lib_init` is not thread-safe; a `static let` runs it exactly once, under the runtime's lock.
    private static let initialised: Bool = {
        mosquitto_lib_init()
        return true
    }()

    static func ensureInitialised() {
        _ = initialised
    }
}
