import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Where one parameter value stands in the law: the document and its article.
public struct Citation: Sendable, Hashable, Codable {
    /// The document, e.g. 海南省中小企业特色产业集群认定标准.
    public var document: String
    /// The article or section, e.g. 认定标准 一.
    public var article: String
}

/// One value of a parameter, in force from `effectiveFrom` until the next value's date.
public struct DatedValue: Sendable, Hashable {
    /// A number (exact) or, for a mode such as `share_years`, a string.
    public var value: JSONValue
    /// The first day the value is in force.
    public var effectiveFrom: CivilDate
    /// Where the value stands in the law.
    public var citation: Citation
}

/// A named threshold with its comparator, unit and history of values.
public struct Parameter: Sendable, Hashable {
    /// The name the rules read, e.g. `min_annual_output_wan`.
    public var name: String
    /// The comparison the criterion makes with it: `>=`, `>`, `<=`, `<`, or `mode` for a setting.
    public var comparator: String
    /// The unit, e.g. 万元, km², share (0…1).
    public var unit: String
    /// The criteria that read it.
    public var criteria: [String]
    /// Values in increasing `effectiveFrom` order, never two on one date.
    public var values: [DatedValue]

    /// The value in force on `date`: the latest whose `effectiveFrom` is on or before it; nil before the first.
    public func value(on date: CivilDate) -> DatedValue? {
        values.last { $0.effectiveFrom <= date }
    }
}

/// A named, content-hashed set of parameters (`hainan-2023`, `national-2022`).
public struct Rulebook: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The rulebook's title.
    public var title: LocalizedText
    /// Its parameters, in file order.
    public var parameters: [Parameter]
    /// SHA-256 (hex) of the canonical JSON text of this rulebook's entry in the file.
    public var hash: String

    /// The values in force on `asOf`.
    ///
    /// Throws `RulebookError.notCovered` when `asOf` is before the first value of any parameter:
    /// a date the rulebook does not cover is an error, never a default.
    public func resolve(asOf: CivilDate) throws(RulebookError) -> ResolvedParameters {
        var values: [String: JSONValue] = [:]
        for parameter in parameters {
            guard let v = parameter.value(on: asOf) else {
                throw .notCovered(rulebook: name, parameter: parameter.name, asOf: asOf, firstValue: parameter.values[0].effectiveFrom)
            }
            values[parameter.name] = v.value
        }
        return ResolvedParameters(rulebook: name, hash: hash, asOf: asOf, values: values)
    }
}

/// The parameter values a review uses, and where they came from; recorded with every finding.
public struct ResolvedParameters: Sendable, Hashable, Codable {
    /// The rulebook's name.
    public var rulebook: String
    /// The rulebook's content hash (SHA-256, hex).
    public var hash: String
    /// The date the values are in force on.
    public var asOf: CivilDate
    /// Values by parameter name; a name that is absent has no threshold in this rulebook.
    public var values: [String: JSONValue]

    enum CodingKeys: String, CodingKey { case rulebook, hash, asOf = "as_of", values }
}

/// Why a rulebook file could not be loaded or a rulebook not resolved.
public enum RulebookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file breaks the format; every issue found, with its JSON path.
    case invalid([ValidationIssue])
    /// No rulebook has this name.
    case unknownRulebook(String, known: [String])
    /// `asOf` is before the first value of `parameter`.
    case notCovered(rulebook: String, parameter: String, asOf: CivilDate, firstValue: CivilDate)

    /// The text a log line shows.
    public var description: String { message.en }

    /// The error for a person, in Chinese and English.
    public var message: LocalizedText {
        switch self {
        case .invalid(let issues):
            return LocalizedText(zh: "规则集文件无效：\n" + issues.map { "\($0.path) [\($0.rule)] \($0.message.zh)" }.joined(separator: "\n"),
                                 en: "invalid rulebook file:\n" + issues.map(\.description).joined(separator: "\n"))
        case .unknownRulebook(let name, let known):
            return LocalizedText(zh: "没有名为“\(name)”的规则集（已有：\(known.joined(separator: ", "))）",
                                 en: "no rulebook named \"\(name)\" (known: \(known.joined(separator: ", ")))")
        case .notCovered(let rulebook, let parameter, let asOf, let first):
            return LocalizedText(zh: "规则集 \(rulebook) 不覆盖 \(asOf)：参数 \(parameter) 自 \(first) 起才有值",
                                 en: "rulebook \(rulebook) does not cover \(asOf): parameter \(parameter) has no value before \(first)")
        }
    }
}

/// Every rulebook of config/parameters.json, loaded strictly.
///
/// Errors at load: unknown keys, missing members, a comparator or unit missing, values not in
/// increasing date order or two on one date (overlap), a value without a citation, duplicate
/// rulebook or parameter names, a default that names no rulebook. Whether the parameters are the
/// ones the modules read is a second step, `check(against:unanswered:)`, made with the modules'
/// declarations once they have started.
public struct RulebookLibrary: Sendable, Hashable {
    /// The path of the file relative to the project root.
    public static let defaultPath = "config/parameters.json"

    /// The rulebook used when none is named (`hainan-2023`).
    public var defaultName: String
    /// Every rulebook of the file, in file order.
    public var rulebooks: [Rulebook]

    /// Loads and checks the file at `url`.
    public static func load(contentsOf url: URL) throws -> RulebookLibrary {
        try parse(Data(contentsOf: url))
    }

    /// Parses and checks the text of a parameters file.
    public static func parse(_ data: Data) throws(RulebookError) -> RulebookLibrary {
        let root: JSONValue
        do {
            root = try JSONParser.parse(data, limits: .document)
        } catch {
            throw .invalid([ValidationIssue(path: error.path, rule: "syntax", message: LocalizedText(zh: error.zh, en: error.en),
                                            fix: LocalizedText(zh: "修正 JSON 语法", en: "correct the JSON syntax"))])
        }
        var reader = Reader()
        let library = reader.library(root)
        guard reader.issues.isEmpty, let library else { throw .invalid(reader.issues) }
        return library
    }

    /// The rulebook `name`, or the default when nil.
    public func rulebook(named name: String?) throws(RulebookError) -> Rulebook {
        let wanted = name ?? defaultName
        guard let book = rulebooks.first(where: { $0.name == wanted }) else {
            throw .unknownRulebook(wanted, known: rulebooks.map(\.name))
        }
        return book
    }

    /// The values of rulebook `name` (default when nil) in force on `asOf`.
    public func resolve(_ name: String?, asOf: CivilDate) throws(RulebookError) -> ResolvedParameters {
        try rulebook(named: name).resolve(asOf: asOf)
    }

    struct Reader {
        var issues: [ValidationIssue] = []

        mutating func issue(_ path: String, _ rule: String, _ zh: String, _ en: String) {
            issues.append(ValidationIssue(path: path, rule: rule, message: LocalizedText(zh: zh, en: en),
                                          fix: LocalizedText(zh: "按 docs/rules.md 修正规则集文件", en: "correct the file as docs/rules.md describes")))
        }

        /// The members of an object, with unknown and missing keys reported.
        mutating func members(_ value: JSONValue, _ path: String, required: [String], optional: [String] = []) -> [String: JSONValue]? {
            guard case .object(let m) = value else {
                issue(path, "type", "应为对象", "must be an object")
                return nil
            }
            for key in m.keys where !required.contains(key) && !optional.contains(key) {
                issue(path + JSONPath.member(key), "unknown_field", "未知字段“\(key)”", "unknown member \"\(key)\"")
            }
            for key in required where m[key] == nil {
                issue(path + JSONPath.member(key), "required", "缺少“\(key)”", "missing \"\(key)\"")
            }
            return m
        }

        mutating func text(_ value: JSONValue?, _ path: String) -> String? {
            guard let s = value?.string, !s.trimmingCharacters(in: .whitespaces).isEmpty else {
                if value != nil { issue(path, "type", "应为非空字符串", "must be a non-empty string") }
                return nil
            }
            return s
        }

        mutating func library(_ root: JSONValue) -> RulebookLibrary? {
            guard let m = members(root, "$", required: ["format_version", "default", "rulebooks"]) else { return nil }
            if let v = m["format_version"], v != 1 { issue("$.format_version", "range", "应为 1", "must be 1") }
            let defaultName = text(m["default"], "$.default")
            guard case .array(let list)? = m["rulebooks"] else {
                if m["rulebooks"] != nil { issue("$.rulebooks", "type", "应为数组", "must be an array") }
                return nil
            }
            var books: [Rulebook] = []
            for (i, entry) in list.enumerated() {
                if let book = rulebook(entry, "$.rulebooks[\(i)]") {
                    if books.contains(where: { $0.name == book.name }) {
                        issue("$.rulebooks[\(i)].name", "duplicate", "规则集名称重复：\(book.name)", "duplicate rulebook name \(book.name)")
                    }
                    books.append(book)
                }
            }
            if let defaultName, !books.contains(where: { $0.name == defaultName }) {
                issue("$.default", "unknown_rulebook", "默认规则集“\(defaultName)”不存在", "the default \"\(defaultName)\" names no rulebook")
            }
            guard let defaultName else { return nil }
            return RulebookLibrary(defaultName: defaultName, rulebooks: books)
        }

        mutating func rulebook(_ value: JSONValue, _ path: String) -> Rulebook? {
            guard let m = members(value, path, required: ["name", "title", "parameters"]) else { return nil }
            let name = text(m["name"], path + ".name")
            var title: LocalizedText?
            if let t = m["title"], let tm = members(t, path + ".title", required: ["zh", "en"]),
               let zh = text(tm["zh"], path + ".title.zh"), let en = text(tm["en"], path + ".title.en") {
                title = LocalizedText(zh: zh, en: en)
            }
            guard case .array(let list)? = m["parameters"] else {
                if m["parameters"] != nil { issue(path + ".parameters", "type", "应为数组", "must be an array") }
                return nil
            }
            var parameters: [Parameter] = []
            for (i, entry) in list.enumerated() {
                if let p = parameter(entry, path + ".parameters[\(i)]") {
                    if parameters.contains(where: { $0.name == p.name }) {
                        issue(path + ".parameters[\(i)].name", "duplicate", "参数重复：\(p.name)", "duplicate parameter \(p.name)")
                    }
                    parameters.append(p)
                }
            }
            guard let name, let title else { return nil }
            return Rulebook(name: name, title: title, parameters: parameters, hash: SHA256.hex(Array(value.canonicalText().utf8)))
        }

        mutating func parameter(_ value: JSONValue, _ path: String) -> Parameter? {
            guard let m = members(value, path, required: ["name", "comparator", "unit", "criteria", "values"]) else { return nil }
            let name = text(m["name"], path + ".name")
            let comparator = text(m["comparator"], path + ".comparator")
            if let comparator, ![">=", ">", "<=", "<", "mode"].contains(comparator) {
                issue(path + ".comparator", "enum", "比较符应为 >=、>、<=、< 或 mode", "the comparator must be >=, >, <=, < or mode")
            }
            let unit = text(m["unit"], path + ".unit")
            var criteria: [String] = []
            if case .array(let ids)? = m["criteria"] {
                // Whether a criterion exists is for the modules to say (`RulebookLibrary.check`):
                // here only the form of the id.
                for (i, id) in ids.enumerated() {
                    if let s = id.string, ModuleDescriptor.isCriterionId(s) { criteria.append(s) } else {
                        issue(path + ".criteria[\(i)]", "criterion_id", "不是指标编号（形如 COMP-6）", "not a criterion id (of the form COMP-6)")
                    }
                }
            } else if m["criteria"] != nil {
                issue(path + ".criteria", "type", "应为数组", "must be an array")
            }
            var values: [DatedValue] = []
            if case .array(let list)? = m["values"], !list.isEmpty {
                for (i, entry) in list.enumerated() {
                    let vp = path + ".values[\(i)]"
                    guard let vm = members(entry, vp, required: ["value", "effective_from", "citation"]) else { continue }
                    let date = vm["effective_from"]?.string.flatMap(CivilDate.init)
                    if date == nil, vm["effective_from"] != nil { issue(vp + ".effective_from", "date", "应为 YYYY-MM-DD 日期", "must be a date YYYY-MM-DD") }
                    var citation: Citation?
                    if let c = vm["citation"], let cm = members(c, vp + ".citation", required: ["document", "article"]),
                       let document = text(cm["document"], vp + ".citation.document"), let article = text(cm["article"], vp + ".citation.article") {
                        citation = Citation(document: document, article: article)
                    }
                    let v = vm["value"]
                    switch v {
                    case .number?: if comparator == "mode" { issue(vp + ".value", "type", "mode 参数的值应为字符串", "a mode's value must be a string") }
                    case .string?: if comparator != "mode" { issue(vp + ".value", "type", "阈值应为数值", "a threshold must be a number") }
                    case nil: break
                    default: issue(vp + ".value", "type", "应为数值或字符串", "must be a number or a string")
                    }
                    if let date, let last = values.last, date <= last.effectiveFrom {
                        issue(vp + ".effective_from", "overlap", "生效日期应晚于前一值（\(last.effectiveFrom)）", "must be later than the previous value's date (\(last.effectiveFrom))")
                    }
                    if let date, let citation, let v { values.append(DatedValue(value: v, effectiveFrom: date, citation: citation)) }
                }
            } else if m["values"] != nil {
                issue(path + ".values", "count", "应为非空数组", "must be a non-empty array")
            }
            guard let name, let comparator, let unit, !values.isEmpty else { return nil }
            return Parameter(name: name, comparator: comparator, unit: unit, criteria: criteria, values: values)
        }
    }
}
