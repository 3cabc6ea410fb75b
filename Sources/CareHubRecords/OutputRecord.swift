import CareHubCore

/// One record: named fields in a stable order, as the command line's `--format json` prints it and the HTTP API
/// answers it (the same fields, so a program may switch between them).
public struct OutputRecord: Sendable {
    public var fields: [(name: String, value: OutputValue)]

    public init(fields: [(name: String, value: OutputValue)]) {
        self.fields = fields
    }

    public subscript(name: String) -> OutputValue {
        fields.first { $0.name == name }?.value ?? .null
    }

    public var jsonText: String {
        "{" + fields.map { JSONText.quoted($0.name) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
    }
}
