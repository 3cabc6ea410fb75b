/// Turns a gateway's device name (a Zigbee2MQTT friendly name such as `hall/motion` or
/// `Detecteur mouvement`) into a contract device id for automatic registration: characters outside
/// `A-Z a-z 0-9 _ . -` become `_`, `/` becomes `.`, and a long or altered name keeps a short hash so that
/// two names do not fold into one id.
public enum DeviceName {
    public static func identifier(for name: String) -> String {
        if Identifier.isValid(name) { return name }
        var mapped = String(String.UnicodeScalarView(name.unicodeScalars.map { scalar -> Unicode.Scalar in
            if scalar == "/" { return "." }
            return Identifier.isValid(String(scalar)) ? scalar : "_"
        }))
        let hash = String(GatewayMapping.digest(topic: name, payload: []) & 0xffffff, radix: 16)
        let room = Identifier.maximumLength - hash.count - 1
        if mapped.utf8.count > room { mapped = String(mapped.prefix(room)) }
        return mapped.isEmpty ? "device-\(hash)" : "\(mapped)-\(hash)"
    }
}
