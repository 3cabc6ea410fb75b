import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP client on 127.0.0.1 that sends one HTTP/1.1 request and reads the answer as it arrives: for the event
/// stream, which never ends by itself (HummingbirdTesting's clients wait for the whole body).
///
/// Blocking: `read(until:timeout:)` waits on the socket on the calling thread.
public final class PlainHTTPConnection {
    private let descriptor: Int32
    /// Everything received so far: status line, headers and body (chunked as sent).
    public private(set) var received = ""

    public init(port: Int, method: String = "GET", path: String, headers: [String: String] = [:], body: String = "") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSupportError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestSupportError("connect() to port \(port) failed")
        }
        let length = body.isEmpty ? "" : "Content-Length: \(body.utf8.count)\r\n"
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers.map { "\($0): \($1)\r\n" }.joined() + length + "\r\n" + body
        _ = request.withCString { send(descriptor, $0, strlen($0), 0) }
    }

    /// Reads until the text received so far contains `marker`; false if `timeout` passes first or the server closes.
    public func read(until marker: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.contains(marker) {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&waiting, 1, milliseconds) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return received.contains(marker) }
            received += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return true
    }

    deinit { close(descriptor) }
}
