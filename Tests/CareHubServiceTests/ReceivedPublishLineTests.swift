@testable import Mosquitto
import Testing

/// libmosquitto's wording for a received PUBLISH, the only place it reports the DUP flag.
@Suite struct ReceivedPublishLineTests {
    @Test func readsTheFlagAndPacketIdFromLibmosquittosLine() {
        let line = ReceivedPublishLine("Client carehub-hub received PUBLISH (d1, q1, r0, m4242, 'z2m/anna-1/pendant', ... (16 bytes))")
        #expect(line == ReceivedPublishLine(mid: 4242, duplicate: true))
        let first = ReceivedPublishLine("Client carehub-hub received PUBLISH (d0, q1, r1, m7, 'a topic with (parentheses)', ... (0 bytes))")
        #expect(first == ReceivedPublishLine(mid: 7, duplicate: false))
    }

    @Test func ignoresOtherLinesAndUnknownWording() {
        #expect(ReceivedPublishLine("Client carehub-hub sending PUBACK (m4242, rc0)") == nil)
        #expect(ReceivedPublishLine("Client carehub-hub received PUBLISH (dup=1, q1, m4)") == nil)
        #expect(ReceivedPublishLine("Client x received PUBLISH (d1, q1, r0, m12") == nil)
        #expect(ReceivedPublishLine("received PUBLISH (d1, q1, r0, m12, 't', ... (1 bytes))") == nil)
    }
}
