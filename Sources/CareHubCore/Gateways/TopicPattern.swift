/// A topic pattern of a gateway mapping: MQTT levels where `{home}` and `{device}` capture one level,
/// `{device...}` captures one or more levels (Zigbee2MQTT friendly names may contain `/`), `+` matches one
/// level and a final `#` matches the rest.
///
/// `z2m/{home}/{device...}/availability` matches `z2m/anna/hall/motion/availability` with home `anna` and
/// device `hall/motion`.
public struct TopicPattern: Sendable, Equatable, CustomStringConvertible {
    enum Level: Sendable, Equatable {
        case literal(String)
        case anyOne
        case rest
        case capture(Capture, multiLevel: Bool)
    }

    public enum Capture: String, Sendable {
        case home, device
    }

    let levels: [Level]
    public let description: String

    /// Parses a pattern; the error says what is wrong, for the mapping file's error message.
    public init(_ text: String) throws(MappingError) {
        description = text
        var levels: [Level] = []
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for (index, part) in parts.enumerated() {
            switch part {
            case "+": levels.append(.anyOne)
            case "#":
                guard index == parts.count - 1 else { throw MappingError("in topic \"\(text)\", # must be the last level") }
                levels.append(.rest)
            case "{home}": levels.append(.capture(.home, multiLevel: false))
            case "{device}": levels.append(.capture(.device, multiLevel: false))
            case "{device...}": levels.append(.capture(.device, multiLevel: true))
            default:
                guard !part.isEmpty, !part.contains("{"), !part.contains("+"), !part.contains("#") else {
                    throw MappingError("in topic \"\(text)\", the level \"\(part)\" is not a word, +, #, {home}, {device} or {device...}")
                }
                levels.append(.literal(part))
            }
        }
        let multiLevel = levels.filter { if case .capture(_, true) = $0 { true } else { false } }.count
        guard multiLevel <= 1, multiLevel == 0 || !levels.contains(.rest) else {
            throw MappingError("in topic \"\(text)\", use at most one {device...} and not together with #")
        }
        let captures = levels.compactMap { if case .capture(let name, _) = $0 { name } else { nil } }
        guard Set(captures).count == captures.count else { throw MappingError("in topic \"\(text)\", a capture appears twice") }
        self.levels = levels
    }

    /// What a topic matching the pattern captured.
    public struct Match: Sendable, Equatable {
        public var home: String?
        public var device: String?

        public init(home: String? = nil, device: String? = nil) {
            self.home = home
            self.device = device
        }
    }

    /// The captures when `topic` matches, else nil.
    public func match(_ topic: String) -> Match? {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        var match = Match()
        guard let multi = levels.firstIndex(where: { if case .capture(_, true) = $0 { true } else { false } }) else {
            return Self.match(levels[...], parts[...], into: &match, restAllowed: true) ? match : nil
        }
        let suffixCount = levels.count - multi - 1
        guard parts.count >= levels.count else { return nil }
        let head = parts.prefix(multi)
        let tail = parts.suffix(suffixCount)
        let middle = parts[multi..<(parts.count - suffixCount)]
        guard Self.match(levels[..<multi], head, into: &match, restAllowed: false),
              Self.match(levels[(multi + 1)...], tail, into: &match, restAllowed: false),
              !middle.contains(where: \.isEmpty)
        else { return nil }
        match.device = middle.joined(separator: "/")
        return match
    }

    private static func match(_ levels: ArraySlice<Level>, _ parts: ArraySlice<Substring>, into match: inout Match, restAllowed: Bool) -> Bool {
        var part = parts.startIndex
        for level in levels {
            if case .rest = level { return restAllowed }
            guard part < parts.endIndex else { return false }
            let text = parts[part]
            switch level {
            case .literal(let word): guard text == word else { return false }
            case .anyOne: break
            case .capture(let name, _):
                guard !text.isEmpty else { return false }
                if name == .home { match.home = String(text) } else { match.device = String(text) }
            case .rest: return restAllowed
            }
            part += 1
        }
        return part == parts.endIndex
    }

    /// The MQTT subscription filter that receives every topic this pattern can match.
    public var subscriptionFilter: String {
        var filter: [String] = []
        for level in levels {
            switch level {
            case .literal(let word): filter.append(word)
            case .anyOne, .capture(_, false): filter.append("+")
            case .rest, .capture(_, true):
                filter.append("#")
                return filter.joined(separator: "/")
            }
        }
        return filter.joined(separator: "/")
    }

    public var capturesHome: Bool { levels.contains { if case .capture(.home, _) = $0 { true } else { false } } }
    public var capturesDevice: Bool { levels.contains { if case .capture(.device, _) = $0 { true } else { false } } }

    /// True when every topic `inner` receives is also received by `outer` (both MQTT filters).
    public static func filter(_ outer: String, covers inner: String) -> Bool {
        let outerLevels = outer.split(separator: "/", omittingEmptySubsequences: false)
        let innerLevels = inner.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in outerLevels.enumerated() {
            if level == "#" { return true }
            guard index < innerLevels.count else { return false }
            let other = innerLevels[index]
            if other == "#" { return false }
            if level == "+" { continue }
            guard other != "+", level == other else { return false }
        }
        return outerLevels.count == innerLevels.count
    }
}

/// A mistake in a gateway mapping, said in one sentence.
public struct MappingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
