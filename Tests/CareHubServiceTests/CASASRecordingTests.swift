import CareHubCore
@testable import CareHubService
import CareHubTesting
import Foundation
import Testing

/// CASAS recordings in each of the forms the CASAS homes are published in, read with and without a mapping file: the form
/// a held-out CASAS home arrives in must not decide whether it can be evaluated at all.
struct CASASRecordingTests {
    /// What one replay line says: its device (from the topic), type, value and room.
    struct Event: Equatable {
        var device: String
        var type: String
        var value: String?
        var room: String?
    }

    func events(_ loaded: ReplayInput.Loaded) throws -> [Event] {
        try loaded.lines.map { line in
            guard case .object(let object) = try JSONValue.parse(line.payload), case .string(let type) = object["type"] else {
                throw ReplayInputError("not an event: \(String(decoding: line.payload, as: UTF8.self))")
            }
            func text(_ value: JSONValue?) -> String? {
                switch value {
                case .string(let text): text
                case .bool(let flag): "\(flag)"
                case .number(let number): JSONText.number(number)
                default: nil
                }
            }
            let fields = line.topic.split(separator: "/")
            return Event(device: fields.count == 5 ? String(fields[3]) : line.topic, type: type, value: text(object["value"]),
                         room: text(object["room"]))
        }
    }

    func load(_ text: String, named name: String = "hh999.txt", mapping: String? = nil, home: String? = nil) throws -> ReplayInput.Loaded {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try ReplayInput.load(path: path, format: .casas, mappingPath: mapping, home: home)
    }

    @Test func theNewerRawFormWithItsCRLFLineEndingsIsReadByItsOwnTypesAndLocations() throws {
        // The shared sample, as published: seven-field lines, CR LF line endings.
        let sample = try TestPaths.sharedData("homes/casas-hh109/newer-casas-format-sample.txt")
        let loaded = try ReplayInput.load(path: sample.path, format: .casas, mappingPath: nil)
        #expect(loaded.home == "newer-casas-format-sample")
        #expect(loaded.timeZone == "America/Los_Angeles")
        #expect(try events(loaded) == [
            Event(device: "door-d001", type: "door", value: "closed", room: "other"),
            Event(device: "door-d002", type: "door", value: "open", room: "front_door"),
            Event(device: "batp102", type: "battery", value: "85", room: nil),
            Event(device: "batp103", type: "battery", value: "82", room: nil),
            Event(device: "pir-ma016", type: "motion", value: "false", room: "kitchen"),
            Event(device: "door-d003", type: "door", value: "open", room: "bathroom"),
            Event(device: "pir-m009", type: "motion", value: "true", room: "bedroom"),
        ])
        // Temperatures are skipped (CASAS homes mix °F and °C) and said to be.
        #expect(loaded.unmapped == ["T101": 1, "T102": 1, "T103": 1])
        // In local (Pacific, summer) time.
        #expect(loaded.lines.first?.time == Int64(1_342_641_285_126))
    }

    @Test func theOlderRawFormReadsItsValueAfterTheSensorAndIgnoresAnActivityLabel() throws {
        let loaded = try load("""
            2010-11-04 00:03:50.209589 M003 ON Sleeping begin
            2010-11-04 00:03:57.399391 M003 OFF
            2010-11-04 00:15:08.984841 T002 21.5
            2010-11-04 05:40:43.642664 D004 OPEN
            2010-11-04 05:40:44 D004 CLOSE Leave_Home end
            """)
        #expect(try events(loaded) == [
            Event(device: "pir-m003", type: "motion", value: "true", room: "other"),
            Event(device: "pir-m003", type: "motion", value: "false", room: "other"),
            Event(device: "door-d004", type: "door", value: "open", room: "other"),
            Event(device: "door-d004", type: "door", value: "closed", room: "other"),
        ])
        #expect(loaded.unmapped == ["T002": 1])
        #expect(loaded.home == "hh999")
    }

    @Test func thePreprocessedFormGivesTheSameDevicesWithOrWithoutTheShippedMapping() throws {
        let recording = try TestPaths.sharedData("homes/casas-hh109/hh109_2012-06_motion_on.csv")
        let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/casas-hh109.yaml").path
        let mapped = try ReplayInput.load(path: recording.path, format: .casas, mappingPath: mapping)
        let inferred = try ReplayInput.load(path: recording.path, format: .casas, mappingPath: nil, home: "casas-hh109")
        #expect(inferred.lines.count == 7_277)
        #expect(inferred.unmapped.isEmpty)
        #expect(inferred.lines.map(\.topic) == mapped.lines.map(\.topic))
        #expect(inferred.lines.map(\.time) == mapped.lines.map(\.time))
        #expect(try events(inferred) == events(mapped))
    }

    @Test func aMappingFileStillDecidesForTheRawForm() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mapping = directory.path("mapping.yaml")
        try Data("""
            home: hh-mapped
            timezone: America/Los_Angeles
            sensors:
              M009: {device: pir-bed, type: motion, room: bedroom}
            values:
              motion: {"ON": "true", "OFF": "false"}
            """.utf8).write(to: URL(fileURLWithPath: mapping))
        let loaded = try load("""
            2012-07-18 12:54:45.682577  MA016   Kitchen     Kitchen     OFF Control4-MotionArea
            2012-07-18 12:54:45.767498  M009    Bedroom     Bedroom     ON  Control4-Motion
            """, mapping: mapping)
        #expect(try events(loaded) == [Event(device: "pir-bed", type: "motion", value: "true", room: "bedroom")])
        #expect(loaded.unmapped == ["MA016": 1])
        #expect(loaded.home == "hh-mapped")
    }

    @Test func aGenericFileIsNamedAfterItsFolderAndALineThatIsNoEventIsSkippedAndSaid() throws {
        #expect(try ReplayInput.homeID(fromFile: "/data/casas/hh110/data") == "hh110")
        #expect(try ReplayInput.homeID(fromFile: "/data/hh 110 (copy).txt") == "hh-110--copy-")
        let loaded = try load("""
            2012-07-18 12:54:45.682577  M009    Bedroom     Bedroom     ON  Control4-Motion
            not an event
            2012-07-18 12:55:45.682577  M009    Bedroom     Bedroom     OFF  Control4-Motion
            """)
        #expect(try events(loaded).map(\.value) == ["true", "false"])
        #expect(loaded.unreadable.count == 1)
        #expect(loaded.unreadable.first == ["Line 2 is not a CASAS event (date and time, sensor, value)."])
        // A file of which no line is a CASAS event is most likely another format: a clear error, not an empty home.
        let error = #expect(throws: ReplayInputError.self) {
            _ = try load("2017-01-16T17:49:25.864;EMeter_Coffeemaker;0.0\n2017-01-16T17:50:17.385;MotionD_T;1\n")
        }
        #expect(error?.description.hasSuffix("could be read as a CASAS recording (check --input-format): "
            + "Line 1 is not a CASAS event (date and time, sensor, value).") == true)
    }
}
