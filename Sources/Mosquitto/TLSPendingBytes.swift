import CMosquitto
import Glibc

/// Bytes OpenSSL has already decrypted for a connection and libmosquitto has not read yet. They are invisible to
/// `poll` (they left the socket), so a read burst that stopped on "socket not readable" alone could leave a
/// message waiting until the next packet arrives. `SSL_pending` is looked up at run time in the OpenSSL that
/// libmosquitto itself loaded, so building needs no OpenSSL headers.
enum TLSPendingBytes {
    private typealias PendingFunction = @convention(c) (UnsafeMutableRawPointer?) -> Int32

    private static let pending: PendingFunction? = {
        // RTLD_DEFAULT (nil): the global scope, where libmosquitto's own libssl was loaded at start.
        guard let symbol = dlsym(nil, "SSL_pending") else { return nil }
        return unsafeBitCast(symbol, to: PendingFunction.self)
    }()

    /// Whether the lookup worked (false only if libmosquitto was built without TLS).
    static var isAvailable: Bool { pending != nil }

    /// Whether the client's TLS session holds decrypted bytes not yet read; false without TLS.
    static func any(_ handle: OpaquePointer) -> Bool {
        guard let ssl = mosquitto_ssl_get(handle), let pending else { return false }
        return pending(ssl) > 0
    }
}
