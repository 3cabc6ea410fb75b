import Foundation

/// One line of a WSU CASAS recording, in any of the forms the CASAS homes are published in:
/// - pre-processed, `2012-06-01 05:52:21.084337,M012,ON` (hh109's daily segments);
/// - the older raw form, `2010-11-04 00:03:50.209589 M003 ON`, with an activity label after it on annotated files;
/// - the newer raw form of the "hh" homes, `2012-07-18 12:54:45.126257  D002  OutsideDoor  FrontDoor  OPEN  Control4-Door`:
///   two location words, the value, then the sensor's type (and on annotated files, an activity label).
struct CASASLine: Equatable {
    /// Local date and time, as written.
    var time: String
    var sensor: String
    var value: String
    /// The newer form's location words ("OutsideDoor", "FrontDoor"); empty in the other forms.
    var locations: [String]
    /// The newer form's sensor type ("Control4-Door"); nil in the other forms.
    var sensorType: String?

    /// The line's fields, or nil when it is not a CASAS event line.
    init?(_ line: Substring) {
        if line.contains(",") {
            let fields = line.split(separator: ",", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3 else { return nil }
            self.init(time: fields[0], sensor: fields[1], value: fields[2], locations: [], sensorType: nil)
            return
        }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 4 else { return nil }
        let time = fields[0] + " " + fields[1]
        // The older form has its value right after the sensor; the newer has two location words there.
        if fields.count >= 7, !Self.isValue(fields[3]) {
            self.init(time: time, sensor: fields[2], value: fields[5], locations: [fields[3], fields[4]], sensorType: fields[6])
        } else {
            self.init(time: time, sensor: fields[2], value: fields[3], locations: [], sensorType: nil)
        }
    }

    init(time: String, sensor: String, value: String, locations: [String], sensorType: String?) {
        self.time = time
        self.sensor = sensor
        self.value = value
        self.locations = locations
        self.sensorType = sensorType
    }

    /// A sensor value of the older form: a state word or a number.
    private static func isValue(_ field: String) -> Bool {
        ["ON", "OFF", "OPEN", "CLOSE", "CLOSED", "PRESENT", "ABSENT"].contains(field.uppercased()) || Double(field) != nil
    }
}
