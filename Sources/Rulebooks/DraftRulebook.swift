import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// A draft rule change for a what-if (`cluster-review simulate`): a rulebook of the file with some
/// parameters set to other values. It lives in memory only — never written to config/, never used
/// by a real review — and resolves like the rulebook it starts from, with the changed values in
/// force on every date the rulebook covers.
///
/// Values are exact (`Decimal`) and read as a person types them (`DraftRulebook.Change.parse`):
/// the parameters file's own unit (`min_annual_output_wan=150000`), or for 万元 an amount in 亿/亿元,
/// 万/万元 or 元 (`15亿`), for a share or rate (unit "(0–1)") a percentage (`55%`) as well as a
/// fraction (`0.55`), for a mode one of the words its unit lists (`share_years=each`). Refused, each
/// naming the parameter and what is allowed: an assignment without `=`, a parameter the rulebook
/// does not have, a parameter set twice, a value of the wrong kind or unit, a value out of range
/// (a share or rate outside 0…1, a count that is not a whole number ≥ 0, an amount or area ≤ 0).
public struct DraftRulebook: Sendable, Hashable {
    /// One parameter changed.
    public struct Change: Sendable, Hashable, Codable {
        /// The parameter's name, e.g. `min_annual_output_wan`.
        public var parameter: String
        /// The value as typed, e.g. `15亿`.
        public var typed: String
        /// The value in the parameters file's unit (a number, or a mode's word).
        public var value: JSONValue
        /// The parameter's unit and comparator, from the file.
        public var unit: String
        public var comparator: String
        /// The criteria that read it, from the file.
        public var criteria: [String]

        enum CodingKeys: String, CodingKey { case parameter, typed, value, unit, comparator, criteria }
    }

    /// The rulebook the draft starts from.
    public var base: Rulebook
    /// The changes, in the order given.
    public var changes: [Change]

    /// The draft of `base` with `assignments` (`NAME=VALUE` each) applied; throws `DraftError`.
    public init(base: Rulebook, assignments: [String]) throws(DraftError) {
        self.base = base
        var changes: [Change] = []
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else { throw .malformed(assignment) }
            let name = assignment[..<equals].trimmingCharacters(in: .whitespaces)
            let text = assignment[assignment.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard let parameter = base.parameters.first(where: { $0.name == name }) else {
                throw .unknownParameter(name, rulebook: base.name, known: base.parameters.map(\.name))
            }
            guard !changes.contains(where: { $0.parameter == name }) else { throw .repeated(name) }
            let value = try Self.parse(text, for: parameter)
            changes.append(Change(parameter: name, typed: text, value: value, unit: parameter.unit, comparator: parameter.comparator,
                                  criteria: parameter.criteria))
        }
        self.changes = changes
    }

    /// The draft's content hash: SHA-256 (hex) of the base's hash and each change, so two drafts
    /// with the same changes to the same rulebook have the same hash, and none has the base's.
    public var hash: String {
        let text = ([base.hash] + changes.map { "\($0.parameter)=\(JSONValue.object(["v": $0.value]).canonicalText())" }).joined(separator: "\n")
        return SHA256.hex(Array(("draft\n" + text).utf8))
    }

    /// The criteria whose verdicts the changes can move (those each changed parameter lists).
    public var criteria: Set<String> { Set(changes.flatMap(\.criteria)) }

    /// The base's values on `asOf` with the changed ones replaced; the rulebook's name is the
    /// base's followed by `+draft`, its hash `hash`. Throws as the base does for a date it does not cover.
    public func resolve(asOf: CivilDate) throws(RulebookError) -> ResolvedParameters {
        var resolved = try base.resolve(asOf: asOf)
        for change in changes { resolved.values[change.parameter] = change.value }
        resolved.rulebook = base.name + "+draft"
        resolved.hash = hash
        return resolved
    }

    /// Reads `text` as a value of `parameter`, in its unit; see the type's comment.
    static func parse(_ text: String, for parameter: Parameter) throws(DraftError) -> JSONValue {
        let name = parameter.name
        let unit = parameter.unit
        if parameter.comparator == "mode" {
            let words = unit.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard words.contains(text) else { throw .notAllowed(name, value: text, allowed: .words(words)) }
            return .string(text)
        }
        let isShare = unit.contains("(0–1)")
        let isCount = ["enterprises", "platforms", "working days"].contains(unit)
        var digits = text
        var factor: Decimal = 1
        var divisor: Decimal = 1
        if unit == "万元" {
            for (suffix, scale) in [("亿元", Decimal(10_000)), ("亿", Decimal(10_000)), ("万元", Decimal(1)), ("万", Decimal(1))] where digits.hasSuffix(suffix) {
                digits = String(digits.dropLast(suffix.count))
                factor = scale
                break
            }
            if factor == 1 && digits.hasSuffix("元") {
                digits = String(digits.dropLast())
                divisor = 10_000
            }
        } else if isShare, digits.hasSuffix("%") {
            digits = String(digits.dropLast())
            divisor = 100
        }
        digits = digits.trimmingCharacters(in: .whitespaces)
        guard let number = Self.decimal(digits) else { throw .notANumber(name, value: text, unit: unit) }
        let value = number * factor / divisor
        if isShare {
            guard value >= 0 && value <= 1 else { throw .notAllowed(name, value: text, allowed: .share) }
        } else if isCount {
            guard value >= 0, value == value.rounded(scale: 0) else { throw .notAllowed(name, value: text, allowed: .wholeNumber(unit)) }
        } else if parameter.comparator == ">=" || parameter.comparator == ">" || unit == "km²" {
            guard value > 0 else { throw .notAllowed(name, value: text, allowed: .positive(unit)) }
        }
        return .number(value)
    }

    /// A plain decimal (digits, one optional dot, an optional leading sign): nothing Foundation's
    /// lenient reading would also take (exponents, grouping, trailing text).
    static func decimal(_ text: String) -> Decimal? {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard !body.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}

extension Decimal {
    /// This value rounded to `scale` decimal places, half away from zero.
    fileprivate func rounded(scale: Int) -> Decimal {
        var copy = self
        var result = Decimal()
        NSDecimalRound(&result, &copy, scale, .plain)
        return result
    }
}

/// Why a draft rule change is refused; each says in one sentence what is allowed.
public enum DraftError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What a parameter accepts.
    public enum Allowed: Sendable, Hashable {
        case share
        case wholeNumber(String)
        case positive(String)
        case words([String])
    }

    /// Not of the form `NAME=VALUE`.
    case malformed(String)
    /// The rulebook has no parameter of this name.
    case unknownParameter(String, rulebook: String, known: [String])
    /// The parameter is set twice.
    case repeated(String)
    /// The value is not a number in the parameter's unit.
    case notANumber(String, value: String, unit: String)
    /// The value is out of the parameter's range, or not one of a mode's words.
    case notAllowed(String, value: String, allowed: Allowed)

    public var description: String { message.en }

    /// The refusal in Chinese and English.
    public var message: LocalizedText {
        switch self {
        case .malformed(let text):
            return LocalizedText(zh: "--set 应写作 参数名=值（例如 min_annual_output_wan=15亿），而不是 '\(text)'",
                                 en: "--set takes NAME=VALUE (e.g. min_annual_output_wan=15亿), not '\(text)'")
        case .unknownParameter(let name, let rulebook, let known):
            return LocalizedText(zh: "规则集 \(rulebook) 没有参数 \(name)；可设置的参数：\(known.joined(separator: ", "))",
                                 en: "rulebook \(rulebook) has no parameter \(name); the parameters are: \(known.joined(separator: ", "))")
        case .repeated(let name):
            return LocalizedText(zh: "参数 \(name) 被设置了两次：每个参数只设置一次", en: "parameter \(name) is set twice: set each parameter once")
        case .notANumber(let name, let value, let unit):
            let hint = unit == "万元" ? "（单位万元，也可写 15亿、150000万元）" : unit.contains("(0–1)") ? "（0 到 1 之间的小数，或百分数如 55%）" : "（单位：\(unit)）"
            let hintEn = unit == "万元" ? " (in 万元, or an amount such as 15亿 or 150000万元)" : unit.contains("(0–1)") ? " (a fraction from 0 to 1, or a percentage such as 55%)" : " (unit: \(unit))"
            return LocalizedText(zh: "参数 \(name) 的值应为数值\(hint)，而不是 '\(value)'",
                                 en: "parameter \(name) takes a number\(hintEn), not '\(value)'")
        case .notAllowed(let name, let value, let allowed):
            let (zh, en): (String, String)
            switch allowed {
            case .share: (zh, en) = ("0 到 1 之间（或 0% 到 100%）", "from 0 to 1 (or 0% to 100%)")
            case .wholeNumber(let unit): (zh, en) = ("不小于 0 的整数（\(unit)）", "a whole number, 0 or more (\(unit))")
            case .positive(let unit): (zh, en) = ("大于 0 的数值（\(unit)）", "a number above 0 (\(unit))")
            case .words(let words): (zh, en) = ("以下之一：\(words.joined(separator: ", "))", "one of: \(words.joined(separator: ", "))")
            }
            return LocalizedText(zh: "参数 \(name) 的值 '\(value)' 不在允许范围：应为\(zh)", en: "parameter \(name) cannot be '\(value)': it takes \(en)")
        }
    }
}
