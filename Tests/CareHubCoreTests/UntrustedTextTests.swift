import CareHubCore
import Testing

/// Text from people and devices written where it could do harm (issue 11, item 10): CSV cells a spreadsheet would
/// run as formulas, and control characters in log lines.
@Suite struct UntrustedTextTests {
    @Test(arguments: ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\tx", "\rx"])
    func textThatASpreadsheetWouldRunIsNeutralised(_ text: String) {
        let cell = CSVCell.text(text)
        #expect(cell.hasPrefix("'") || cell.hasPrefix("\"'"), "\(cell)")
    }

    @Test func ordinaryTextNumbersAndQuotingAreUnchanged() {
        #expect(CSVCell.text("Sam Patel") == "Sam Patel")
        #expect(CSVCell.text("a, b") == "\"a, b\"")
        #expect(CSVCell.text("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVCell.number("-3.5") == "-3.5")
        #expect(CSVCell.text("-3.5") == "'-3.5")
    }

    @Test func controlCharactersInLogTextAreEscaped() {
        #expect(LogText.escaped("carehub/v1/flat-1/pir-1/event") == "carehub/v1/flat-1/pir-1/event")
        #expect(LogText.escaped("a\nCareHub ready") == "a\\nCareHub ready")
        #expect(LogText.escaped("\u{1B}[2J\r\t\u{7F}\u{85}\u{2028}") == "\\u{1B}[2J\\r\\t\\u{7F}\\u{85}\\u{2028}")
        #expect(!LogText.escaped("x\u{0}y\u{1F}z").unicodeScalars.contains { $0.value < 0x20 })
    }
}
