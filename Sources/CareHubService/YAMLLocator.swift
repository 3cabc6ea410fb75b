import Foundation
import Yams

/// Finds the line of a setting in a YAML document, for error messages.
enum YAMLLocator {
    /// The 1-based line of the value at `path` (or of the deepest key found on the way).
    static func line(of path: [String], in yaml: String) -> Int? {
        guard let root = try? Yams.compose(yaml: yaml) else { return nil }
        var node = root
        var line: Int?
        for key in path {
            if let sequence = node.sequence, let index = Int(key.replacingOccurrences(of: "Index ", with: "")), sequence.indices.contains(index) {
                node = sequence[index]
                line = node.mark.map { $0.line }
                continue
            }
            guard let mapping = node.mapping, let (keyNode, value) = mapping.first(where: { $0.key.string == key }) else { break }
            line = keyNode.mark.map { $0.line }
            node = value
        }
        return line
    }
}
