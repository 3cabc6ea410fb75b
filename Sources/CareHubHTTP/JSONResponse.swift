import CareHubRecords
import Foundation
import Hummingbird

/// Answers in JSON: records exactly as the command line's `--format json` prints them.
enum JSONResponse {
    static func object(_ record: OutputRecord, status: HTTPResponse.Status = .ok) -> Response {
        text(record.jsonText, status: status)
    }

    static func array(_ records: [OutputRecord]) -> Response {
        text("[" + records.map(\.jsonText).joined(separator: ",") + "]")
    }

    static func text(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}

/// A request's JSON body, decoded into `Body`; a 400 problem naming what was expected otherwise.
enum JSONBody {
    static func decode<Body: Decodable>(_ type: Body.Type, from request: Request, limit: Int, example: String,
                                        emptyIs empty: Body? = nil) async throws -> Body {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw HTTPProblem(.contentTooLarge, "The body is larger than \(limit) bytes; send a smaller one.")
        }
        if buffer.readableBytes == 0, let empty { return empty }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPProblem(.badRequest, "The body must be a JSON object such as \(example).")
        }
    }
}
