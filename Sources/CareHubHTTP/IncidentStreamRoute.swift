import CareHubRecords
import CareHubStore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// `GET /api/v1/stream`: Server-Sent Events, one `incident` event for every incident raised or changed, its data the
/// incident record and its id the change's sequence number; a comment line on an idle stream at least every
/// `streamKeepAliveInterval`. A reconnecting client sends `Last-Event-ID` and gets every change after it.
///
/// The stream polls the incident timeline every `streamPollInterval` (0.2 s): a reader in its own transaction, so the
/// hub's writes are never held up by it. It ends after `streamLifetime`, or when the hub shuts down; the browser's
/// EventSource reconnects by itself.
struct IncidentStreamRoute {
    let database: HubDatabase
    let policy: HTTPPolicy

    /// At most this many timeline rows a poll; a longer backlog is read in further polls without waiting.
    static let batch = 500
    static let lastEventID = HTTPField.Name("Last-Event-ID")!

    func register(on api: RouterGroup<CareHubRequestContext>) {
        api.get("stream") { request, context in try stream(request, context) }
    }

    func stream(_ request: Request, _ context: CareHubRequestContext) throws -> Response {
        _ = try context.require(.carer)
        let queries = IncidentQueries(database: database)
        let start: Int64
        if let header = request.headers[Self.lastEventID] {
            guard let value = Int64(header.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw HTTPProblem.badParameter("The Last-Event-ID \"\(header.prefix(40))\" must be the id of an event this stream sent.")
            }
            start = value
        } else {
            start = try queries.latestChange()
        }
        let policy = policy
        let body = ResponseBody { writer in
            var last = start
            let opened = Date()
            var lastWrite = opened
            try await writer.write(ByteBuffer(string: "retry: 1000\n: incidents after \(start)\n\n"))
            // One poll at least, however short the lifetime.
            repeat {
                let batch = try queries.changes(after: last, limit: Self.batch)
                let now = Date()
                last = batch.through
                if !batch.changes.isEmpty {
                    let text = batch.changes.map { change in
                        "id: \(change.sequence)\nevent: incident\ndata: \(OutputRecord(incident: change.incident, now: now).jsonText)\n\n"
                    }.joined()
                    try await writer.write(ByteBuffer(string: text))
                    lastWrite = now
                    if !batch.complete { continue }
                } else if now.timeIntervalSince(lastWrite) >= policy.streamKeepAliveInterval {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = now
                }
                try await Task.sleep(for: .milliseconds(Int(policy.streamPollInterval * 1000)))
            } while !Task.isCancelled && !Task.isShuttingDownGracefully && Date().timeIntervalSince(opened) < policy.streamLifetime
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [
            .contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no",
        ], body: body)
    }
}
