import Foundation

/// One CSV cell, safe to open in a spreadsheet.
///
/// ```swift
/// CSVCell.text("=HYPERLINK(\"http://x\")")   // "'=HYPERLINK(""http://x"")" quoted: "\"'=HYPERLINK(\"\"http://x\"\")\""
/// CSVCell.number("-3.5")                     // "-3.5"
/// ```
///
/// Text that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return)
/// is neutralised with a leading single quote (OWASP's advice for CSV injection). Numbers are written as they are:
/// a negative temperature stays `-3.5`, a number a spreadsheet can sum; only text fields (names, notes, summaries,
/// ids — anything that came from a person or a device) are neutralised, so `-5` typed as a note becomes `'-5`.
public enum CSVCell {
    /// The characters that make a spreadsheet read a cell as a formula.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// A text field: neutralised, then quoted when it holds a comma, quote or line break.
    public static func text(_ value: String) -> String {
        quoted(value.first.map(formulaStarts.contains) == true ? "'" + value : value)
    }

    /// A number, a time or JSON the program wrote itself: only quoted when needed.
    public static func number(_ value: String) -> String {
        quoted(value)
    }

    private static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
