import CareHubCore
@testable import CareHubHTTP
import Foundation
import Testing

/// WCAG 2.2 AA text contrast (at least 4.5:1) for every rule of the console's style sheet that sets both a text colour
/// and a background, and for the badges (white text on each priority's background).
@Suite struct ConsoleStyleTests {
    /// The relative luminance of `#rgb` or `#rrggbb` (WCAG 2.2).
    static func luminance(_ hex: Substring) -> Double {
        var digits = String(hex.dropFirst())
        if digits.count == 3 { digits = digits.map { "\($0)\($0)" }.joined() }
        let value = Int(digits, radix: 16) ?? 0
        func channel(_ shift: Int) -> Double {
            let c = Double((value >> shift) & 0xFF) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }

    static func contrast(_ a: Substring, _ b: Substring) -> Double {
        let (light, dark) = (max(luminance(a), luminance(b)), min(luminance(a), luminance(b)))
        return (light + 0.05) / (dark + 0.05)
    }

    /// Each rule's selector and declarations, media queries flattened.
    static var rules: [(selector: Substring, body: Substring)] {
        ConsoleStyle.css.matches(of: /([^{}]+)\{([^{}]*)\}/).map { ($0.1, $0.2) }
    }

    static func colour(_ property: String, in body: Substring) -> Substring? {
        body.split(separator: ";").first { $0.hasPrefix(property + ":") }?.firstMatch(of: /#[0-9a-fA-F]{3,6}\b/)?.0
    }

    @Test func everyRuleWithTextAndBackgroundColoursHasAAContrast() {
        var checked = 0
        for (selector, body) in Self.rules {
            guard let text = Self.colour("color", in: body), let background = Self.colour("background", in: body) else { continue }
            checked += 1
            #expect(Self.contrast(text, background) >= 4.5, "\(selector): \(text) on \(background)")
        }
        #expect(checked >= 5)
    }

    @Test func badgeTextIsReadableOnEveryPriority() throws {
        let badge = try #require(Self.rules.first { $0.selector.trimmingCharacters(in: .whitespacesAndNewlines) == ".badge" })
        let text = try #require(Self.colour("color", in: badge.body))
        for priority in Priority.allCases.map(\.rawValue) {
            let rule = try #require(Self.rules.first { $0.selector.trimmingCharacters(in: .whitespacesAndNewlines) == ".p-\(priority)" })
            let background = try #require(Self.colour("background", in: rule.body))
            #expect(Self.contrast(text, background) >= 4.5, "\(priority): \(text) on \(background)")
        }
    }
}
