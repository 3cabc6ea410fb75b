/// The name the service group logs the hub by (at debug level). The default, a dump of the stored properties, would
/// write the whole configuration into the log, webhook URLs (which may carry a token) included.
extension Hub: CustomStringConvertible {
    public var description: String { "Hub" }
}
