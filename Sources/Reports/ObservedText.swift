import Foundation
import IndicatorKit
import JSONCore
import ClusterStandard

/// An observed value or a bound that is not a single threshold, in words of one language: the
/// member names and codes the modules record (`documents`, `failing_grades`, `major` …) named as
/// people say them. A name it does not know is kept as written (a code).
public enum ObservedText {
    /// `word` (a member name or code) in `language`; unknown words as written.
    public static func word(_ word: String, _ language: Language) -> String {
        Vocabulary.word(word, language)
    }

    /// `value` for people in `language`: numbers exact and grouped, true/false as 有/无 (yes/no),
    /// codes in words, objects as `name: value` pairs in name order.
    public static func describe(_ value: JSONValue, _ language: Language) -> String {
        let en = language == .en
        switch value {
        case .null: return "—"
        case .bool(let flag): return flag ? (en ? "yes" : "有") : (en ? "no" : "无")
        case .number(let number): return Readable.number(number, places: 6)
        case .string(let text): return word(text, language)
        case .array(let items): return items.isEmpty ? (en ? "none" : "无") : items.map { describe($0, language) }.joined(separator: en ? ", " : "、")
        case .object(let members):
            return members.keys.sorted().map { "\(word($0, language))\(en ? ": " : "：")\(describe(members[$0]!, language))" }
                .joined(separator: en ? "; " : "；")
        }
    }
}
