/// The name the service group logs the notifier by (at debug level). The default, a dump of the stored properties, would
/// write every webhook's URL and secret into the log.
extension NotifierService: CustomStringConvertible {
    public var description: String { "NotifierService" }
}
