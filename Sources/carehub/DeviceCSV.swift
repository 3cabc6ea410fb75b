import ArgumentParser
import CareHubCore
import CareHubStore
import Foundation

/// Reads `carehub devices import` files: a header naming the columns, then one device a line. Fields may be
/// quoted ("hall/motion, left"); a mistake names its line.
enum DeviceCSV {
    static let columns = ["home", "device", "type", "room", "name", "power", "reports_every"]

    static func parse(_ text: String, source: String) throws -> [DeviceRegistry.Entry] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init).enumerated()
            .filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty && !$0.element.hasPrefix("#") }[...]
        guard let header = lines.popFirst() else { throw CLIFailure("\(source) is empty; its first line must name the columns (home,device,…).") }
        let names = try fields(header.element, line: header.offset + 1, source: source).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let unknown = names.first(where: { !columns.contains($0) }) {
            throw CLIFailure("\(source) line \(header.offset + 1): unknown column \"\(unknown)\"; the columns are \(columns.joined(separator: ", ")).")
        }
        guard names.contains("home"), names.contains("device") else {
            throw CLIFailure("\(source) line \(header.offset + 1): the columns must include home and device.")
        }
        var entries: [DeviceRegistry.Entry] = []
        var seen: Set<String> = []
        for (offset, line) in lines {
            let number = offset + 1
            let values = try fields(line, line: number, source: source)
            guard values.count == names.count else {
                throw CLIFailure("\(source) line \(number): \(values.count) fields where the header names \(names.count).")
            }
            var row: [String: String] = [:]
            for (name, value) in zip(names, values) where !value.trimmingCharacters(in: .whitespaces).isEmpty {
                row[name] = value.trimmingCharacters(in: .whitespaces)
            }
            do {
                let entry = try entry(row)
                guard seen.insert("\(entry.home)/\(entry.device)").inserted else { throw ValidationError("device \(entry.device) of \(entry.home) appears twice") }
                entries.append(entry)
            } catch let error as ValidationError {
                throw CLIFailure("\(source) line \(number): \(error.message); nothing was registered.")
            }
        }
        return entries
    }

    private static func entry(_ row: [String: String]) throws -> DeviceRegistry.Entry {
        guard let home = row["home"], Identifier.isValid(home) else { throw ValidationError("home must be 1 to 64 characters of A-Z a-z 0-9 _ . -") }
        guard let device = row["device"], Identifier.isValid(device) else { throw ValidationError("device must be 1 to 64 characters of A-Z a-z 0-9 _ . -") }
        let type = try row["type"].map { text in
            guard let type = EventType(rawValue: text), type != .heartbeat, type != .battery else {
                throw ValidationError("type \"\(text)\" is not a device kind (motion, door, …)")
            }
            return type
        }
        let power = try row["power"].map { text in
            guard let power = DevicePower(rawValue: text.lowercased()) else { throw ValidationError("power must be battery or mains") }
            return power
        }
        let interval = try row["reports_every"].map { text in
            guard let seconds = TimeArgument.duration(text), seconds >= 60, seconds <= 30 * 86_400 else {
                throw ValidationError("reports_every \"\(text)\" must be a duration such as 90m or 2h")
            }
            return seconds
        }
        if let room = row["room"], !Identifier.isValid(room) { throw ValidationError("room \"\(room)\" must be a word such as kitchen or front_door") }
        return DeviceRegistry.Entry(home: home, device: device, name: row["name"], type: type, room: row["room"], power: power, offlineAfter: interval)
    }

    /// One CSV line's fields (RFC 4180 quoting within a line).
    private static func fields(_ line: String, line number: Int, source: String) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch (character, quoted) {
            case ("\"", true):
                var lookahead = characters
                if lookahead.next() == "\"" {
                    current.append("\"")
                    characters = lookahead
                } else {
                    quoted = false
                }
            case ("\"", false) where current.isEmpty: quoted = true
            case (",", false):
                fields.append(current)
                current = ""
            default: current.append(character)
            }
        }
        guard !quoted else { throw CLIFailure("\(source) line \(number): a quoted field is not closed.") }
        fields.append(current)
        return fields
    }
}
