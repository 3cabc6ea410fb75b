/// A gateway's reported state on `carehub/v1/<home>/gateway/status`: `online`/`offline`, or
/// `{"state":"online"}`.
public enum GatewayState: String, Sendable, Codable {
    case online, offline
}
