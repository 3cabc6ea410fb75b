import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "The device registry: which device is in which home and room, and how each one is doing.",
        discussion: """
            A device's id is how events name it (carehub/v1/<home>/<device>/event); --name is what its gateway calls
            it (a Zigbee2MQTT friendly name such as "hall/motion"). With `registration: strict` in the configuration,
            only registered devices are accepted; the others are kept aside and listed by `devices unknown`.

            Examples:
              carehub devices add flat-12 pir-hall --type motion --room hall --name "hall/motion" --by "Sam Patel"
              carehub devices add flat-12 plug-kettle --type power --room kitchen --mains --by "Sam Patel"
              carehub devices assign flat-12 pendant-7 --room bedroom --by "Sam Patel"
              carehub devices remove flat-12 pir-old --by "Sam Patel"
              carehub devices import devices.csv --by "Sam Patel"
              carehub devices list --home flat-12
              carehub devices list --unhealthy
              carehub devices unknown
            """,
        subcommands: [DevicesListCommand.self, DevicesAddCommand.self, DevicesAssignCommand.self, DevicesRemoveCommand.self,
                      DevicesImportCommand.self, DevicesUnknownCommand.self]
    )
}

/// The registry settings shared by `add` and `assign`.
struct DeviceSettingsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("What its gateway calls it (a Zigbee2MQTT friendly name).", valueName: "name")) var name: String?
    @Option(help: ArgumentHelp("Its kind: motion, door, bed, chair, pendant, pullcord, fall, smoke, co, water, temperature, power.",
                               valueName: "type")) var type: String?
    @Option(help: ArgumentHelp("Where it is: bedroom, bathroom, toilet, kitchen, lounge, hall, front_door, back_door, fridge, …",
                               valueName: "room")) var room: String?
    @Flag(help: "It runs on mains power (missed after 30 minutes of silence, not 25 hours).") var mains = false
    @Flag(help: "It runs on batteries.") var battery = false
    @Option(name: .customLong("reports-every"),
            help: ArgumentHelp("How long it may stay silent before it is reported offline: 2h, 90m (1 minute to 30 days).", valueName: "duration"))
    var reportsEvery: String?

    func entry(home: String, device: String) throws -> DeviceRegistry.Entry {
        guard !(mains && battery) else { throw ValidationError("Give --mains or --battery, not both.") }
        let eventType = try type.map { text in
            guard let parsed = EventType(rawValue: text), parsed != .heartbeat, parsed != .battery else {
                throw ValidationError("--type \"\(text)\" is not a device kind: motion, door, bed, chair, pendant, pullcord, fall, smoke, co, water, temperature, power, tamper.")
            }
            return parsed
        }
        let interval = try reportsEvery.map { text in
            guard let seconds = TimeArgument.duration(text), seconds >= 60, seconds <= 30 * 86_400 else {
                throw ValidationError("--reports-every \"\(text)\" must be a duration such as 90m or 2h, from 1 minute to 30 days.")
            }
            return seconds
        }
        return DeviceRegistry.Entry(home: home, device: device, name: name, type: eventType, room: room,
                                    power: mains ? .mains : battery ? .battery : nil, offlineAfter: interval)
    }
}

struct DevicesAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a device to a home (the home is created if new).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The home.") var home: String
    @Argument(help: "The device id (1 to 64 characters of A-Z a-z 0-9 _ . -).") var device: String
    @OptionGroup var settings: DeviceSettingsOptions
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let entry = try settings.entry(home: home, device: device)
        let (db, configuration) = try database.openCreating()
        try DeviceRegistry(database: db).add([entry], timeZone: configuration.rules.settings(for: home).timeZone, by: actor.by, at: Date())
        print("\(home): device \(device) registered\(entry.room.map { " in the \($0)" } ?? "").")
    }
}

struct DevicesAssignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Change a device's room, gateway name, power or interval; or move it here from the home it was in.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The home it belongs to now.") var home: String
    @Argument(help: "The device id.") var device: String
    @OptionGroup var settings: DeviceSettingsOptions
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        try DeviceRegistry(database: db).assign(try settings.entry(home: home, device: device), by: actor.by, at: Date())
        print("\(home): device \(device) updated.")
    }
}

struct DevicesRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Take a device out of service (its events stay; it no longer counts for device health).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The home.") var home: String
    @Argument(help: "The device id.") var device: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        try DeviceRegistry(database: db).remove(home: home, device: device, by: actor.by, at: Date())
        print("\(home): device \(device) removed.")
    }
}

struct DevicesImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Register devices from a CSV file, all or none.",
        discussion: """
            The first line names the columns; home and device are required, the others optional:
              home,device,type,room,name,power,reports_every
              flat-12,pir-hall,motion,hall,hall/motion,battery,
              flat-12,plug-kettle,power,kitchen,kitchen/kettle_plug,mains,
            A mistake anywhere names its line and nothing is registered.
            """)
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The CSV file.") var file: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw CLIFailure("Cannot read \(file); check the path and its permissions.")
        }
        let entries = try DeviceCSV.parse(text, source: file)
        let (db, configuration) = try database.openCreating()
        try DeviceRegistry(database: db).add(entries, timeZone: configuration.timeZone, by: actor.by, at: Date(), action: "device_import")
        print("\(entries.count) device\(entries.count == 1 ? "" : "s") registered from \(file).")
    }
}

struct DevicesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Registered devices: last heard, battery, link quality, possible losses, health.",
        discussion: "Examples:\n  carehub devices list --home flat-12\n  carehub devices list --unhealthy\n  carehub devices list --format csv")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Option(help: "Only this home.") var home: String?
    @Flag(help: "Only devices with a problem (silent too long, reported offline, low battery, weak link, possible losses).")
    var unhealthy = false

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        if let home { try HomeQueries(database: db).requireKnown(home) }
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone)
        let now = Date()
        var records: [OutputRecord] = []
        for device in try DeviceQueries(database: db).list(home: home) {
            let settings = configuration.rules.settings(for: device.home)
            let allowance = settings.registryAllowance(type: device.type, mains: device.power == "mains", interval: device.offlineAfter)
                ?? settings.offlineAfter(device: device.id)
            let health = DeviceHealth(lastSeenAt: device.lastSeenAt, registeredAt: device.registeredAt, battery: device.battery,
                                      linkQuality: device.linkQuality, availability: device.availability,
                                      possibleLostEvents: device.possibleLostEvents, allowedSilence: allowance,
                                      lowBatteryAt: settings.lowBatteryAt, now: now)
            guard !unhealthy || !health.isHealthy || !device.openIncidents.isEmpty else { continue }
            records.append(OutputRecord(device: device, health: health, allowance: allowance, now: now))
        }
        printer.printList(records, columns: ["home", "device", "room", "type", "last_seen", "battery", "link", "health", "incidents"],
                          empty: unhealthy ? "Every device is healthy." : "No devices registered.")
    }
}

struct DevicesUnknownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unknown", abstract: "Devices whose messages were kept aside: not registered, or registered to another home.",
        discussion: "Register the genuine ones with `carehub devices add`; a device registered to another home may be a spoof.\n\nExamples:\n  carehub devices unknown\n  carehub devices unknown --since 7d")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Option(help: "Only messages since a time, date or age (7d).") var since: String?

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        let start = try TimeArgument.since(since, timeZone: configuration.timeZone)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone)
        printer.printList(try DeviceQueries(database: db).unknown(since: start).map(OutputRecord.init(unknown:)),
                          columns: ["home", "device", "reason", "messages", "last_at", "topic"], empty: "No unknown devices.")
    }
}

extension OutputRecord {
    init(device: DeviceRecord, health: DeviceHealth, allowance: TimeInterval, now: Date) {
        let age = device.lastSeenAt.map { RecordPrinter.age(from: $0, to: now) + " ago" } ?? "never"
        self.init(fields: [
            ("home", .text(device.home)),
            ("device", .text(device.id)),
            ("name", .optionalText(device.name)),
            ("type", .optionalText(device.type)),
            ("room", .optionalText(device.room)),
            ("power", .optionalText(device.power)),
            ("reports_every_s", .number(allowance)),
            ("last_seen_at", .optionalTime(device.lastSeenAt)),
            ("last_seen", .text(age)),
            ("battery", device.battery.map(OutputValue.number) ?? .null),
            ("link", device.linkQuality.map(OutputValue.number) ?? .null),
            ("possible_lost_events", .integer(device.possibleLostEvents)),
            ("availability", .optionalText(device.availability)),
            ("health", .text(health.isHealthy ? "ok" : health.problems.map(\.description).joined(separator: ", "))),
            ("incidents", .text(device.openIncidents.joined(separator: " "))),
            ("registered_by", .text(device.registeredBy)),
        ])
    }

    init(unknown: UnknownDevice) {
        self.init(fields: [
            ("home", .optionalText(unknown.home)),
            ("device", .optionalText(unknown.device)),
            ("reason", .text(unknown.reason == "registered_elsewhere" ? "registered to another home" : "not registered")),
            ("messages", .integer(unknown.messages)),
            ("first_at", .time(unknown.firstAt)),
            ("last_at", .time(unknown.lastAt)),
            ("topic", .text(unknown.exampleTopic)),
        ])
    }
}
