/// The devices a replay transaction has found registered in their home (`ReplayStore.Transaction`): a set of
/// (home, device) pairs, kept in a class so that the transaction, a value passed to every line, shares one.
final class RegisteredDevices {
    private var pairs: Set<Pair> = []

    private struct Pair: Hashable {
        var home: String
        var device: String
    }

    func contains(home: String, device: String) -> Bool {
        pairs.contains(Pair(home: home, device: device))
    }

    func insert(home: String, device: String) {
        pairs.insert(Pair(home: home, device: device))
    }
}
