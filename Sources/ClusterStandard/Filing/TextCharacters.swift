import Foundation
import IndicatorKit

/// The characters a filing's text may not hold, by class (docs/filing-format.md, "Characters").
///
/// Names and codes identify: a character a person cannot see makes two different names look the
/// same, and a bidi control changes the order in which a reviewer reads the text. So a one-line text
/// (a name, a title, a code) refuses all four classes below; a statement (prose) may hold tabs and
/// line breaks, invisible characters and line separators, and refuses the control characters and
/// the bidi controls. sql/025's CHECK on `filings.cluster_name` names exactly the one-line set, so the
/// database refuses nothing in a name that this has not refused first, with its JSON path.
public enum TextCharacters {
    /// A class of refused characters.
    public enum Class: String, Sendable, CaseIterable {
        /// C0 controls U+0000–U+001F, DEL U+007F, C1 controls U+0080–U+009F (NEL, U+0085, included).
        case control = "control_character"
        /// U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: marks, embeddings, overrides, isolates.
        case bidiControl = "bidi_control"
        /// Zero-width characters: U+200B–U+200D, U+2060, U+FEFF (a byte order mark inside the text).
        case invisible = "invisible_character"
        /// U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR.
        case lineSeparator = "line_separator"
    }

    /// Whether `text` is empty or white space only: every scalar has Unicode's White_Space
    /// property or is U+200B ZERO WIDTH SPACE — exactly the set of Foundation's
    /// `whitespacesAndNewlines` (general category Z* as Foundation's tables have it, U+0009–U+000D,
    /// U+0085; every scalar compared in `TextCharacterTests`) — read without bridging each string
    /// to `NSString` (issue 16: module CPU).
    public static func isBlank(_ text: String) -> Bool {
        !text.unicodeScalars.contains { !($0.properties.isWhitespace || $0.value == 0x200B) }
    }

    /// The class of `scalar`, or nil for an ordinary character.
    public static func classify(_ scalar: Unicode.Scalar) -> Class? {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return .control
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return .bidiControl
        case 0x200B...0x200D, 0x2060, 0xFEFF: return .invisible
        case 0x2028, 0x2029: return .lineSeparator
        default: return nil
        }
    }

    /// Why `scalar` is refused in a one-line text (`inProse` false) or a statement, with the rule
    /// name, the message and the fix; nil when it is allowed there.
    public static func refusal(of scalar: Unicode.Scalar, inProse: Bool)
        -> (rule: String, message: LocalizedText, fix: LocalizedText)?
    {
        guard let kind = classify(scalar) else { return nil }
        let code = "U+" + String(format: "%04X", scalar.value)
        switch kind {
        case .control:
            if inProse && [0x09, 0x0A, 0x0D].contains(scalar.value) { return nil }
            return (kind.rawValue,
                    LocalizedText(zh: "含有控制字符 \(code)", en: "contains the control character \(code)"),
                    inProse
                        ? LocalizedText(zh: "删除控制字符（说明文字中可用制表符和换行）", en: "remove control characters (statements may hold tabs and line breaks)")
                        : LocalizedText(zh: "删除控制字符（换行只允许出现在说明文字中）", en: "remove control characters (line breaks only in statements)"))
        case .bidiControl:
            return (kind.rawValue,
                    LocalizedText(zh: "含有双向文字控制符 \(code)，它会改变文字显示的顺序",
                                  en: "contains the bidi control \(code), which changes the order in which the text is shown"),
                    LocalizedText(zh: "删除该字符", en: "remove it"))
        case .invisible:
            if inProse { return nil }
            return (kind.rawValue,
                    LocalizedText(zh: "含有不可见字符 \(code)，它使不同的名称看起来相同",
                                  en: "contains the invisible character \(code), which makes different names look alike"),
                    LocalizedText(zh: "删除该字符", en: "remove it"))
        case .lineSeparator:
            if inProse { return nil }
            return (kind.rawValue,
                    LocalizedText(zh: "含有行分隔符 \(code)，名称和代码只能是一行", en: "contains the line separator \(code); names and codes are one line"),
                    LocalizedText(zh: "删除该字符", en: "remove it"))
        }
    }
}
