import Foundation
import IndicatorKit
import JSONCore

/// One thing wrong with a filing: where, which rule, and how to fix it, in Chinese and English.
public struct ValidationIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `$`-rooted JSON path, e.g. `$.figures[2].total_output_wan`.
    public var path: String
    /// A stable rule name, e.g. `money_scale`, `unknown_field`, `uscc` (docs/filing-format.md lists them).
    public var rule: String
    /// What is wrong.
    public var message: LocalizedText
    /// How to fix it.
    public var fix: LocalizedText
    /// Where in the text the problem is, for a syntax error (line, column and the line itself).
    public var position: SourcePosition?

    /// An issue at `path` breaking `rule`.
    public init(path: String, rule: String, message: LocalizedText, fix: LocalizedText, position: SourcePosition? = nil) {
        self.path = path
        self.rule = rule
        self.message = message
        self.fix = fix
        self.position = position
    }

    /// The text a log line shows.
    public var description: String { "\(path) [\(rule)] \(message.en) — \(fix.en)" }
}

/// Checks a filing's raw bytes against format version 1 and reports every error at once.
///
/// Errors: syntax (including NaN/Infinity, duplicate keys, nesting over 32, payload over 1 MiB),
/// bytes that are not UTF-8 (at their offset), wrong types, missing and unknown members, sections the
/// kind does not allow, amounts negative or with more than two decimals, strings too long (counted in
/// Unicode scalars, as PostgreSQL's length() counts) or holding characters a person cannot see or
/// that reorder what they read (`TextCharacters`), dates, county codes,
/// unified social credit codes, duplicate codes and ids, years other than Y−3, Y−2, Y−1, documents
/// referenced but not listed, a blank waiver reason, publicity reaching more enterprises than the
/// cluster has, more enterprises listed than the cluster is stated to have (不漏户). A filing with no
/// issues decodes into `Filing`.
public enum FilingValidator {
    /// Every issue in `data`; empty when the filing is valid.
    public static func validate(_ data: Data) -> [ValidationIssue] {
        switch parse(data) {
        case .success(let value): return validate(value)
        case .failure(let failure): return failure.issues
        }
    }

    /// The document parsed, or its syntax error as the one issue, with its line and column.
    private static func parse(_ data: Data) -> Result<JSONValue, ValidationFailure> {
        do {
            return .success(try JSONParser.parse(data, limits: .document))
        } catch {
            let position = SourcePosition(offset: error.offset, in: data)
            let at = (zh: "第 \(position.line) 行第 \(position.column) 列", en: "line \(position.line), column \(position.column)")
            let fix = error.fixZh.flatMap { zh in error.fixEn.map { LocalizedText(zh: zh, en: $0) } }
            return .failure(ValidationFailure(issues: [ValidationIssue(
                path: error.path, rule: error.rule.rawValue,
                message: LocalizedText(zh: "\(at.zh)：\(error.zh)", en: "\(at.en): \(error.en)"),
                fix: fix ?? LocalizedText(zh: "修正\(at.zh)处的 JSON 语法", en: "correct the JSON syntax at \(at.en)"),
                position: position)]))
        }
    }

    /// Every issue in an already-parsed filing; empty when the filing is valid.
    public static func validate(_ filing: JSONValue) -> [ValidationIssue] {
        var walker = Walker()
        walker.check(filing, FilingSchema.root)
        if case .object(let members) = filing {
            walker.crossChecks(members)
        }
        return walker.issues.sorted { ($0.path, $0.rule) < ($1.path, $1.rule) }
    }

    /// Validates and decodes, or returns the issues.
    public static func decode(_ data: Data) -> Result<Filing, ValidationFailure> {
        decodeParsed(data).map(\.filing)
    }

    /// Validates and decodes, with the parsed document, or returns the issues: the bytes are
    /// parsed once, and the filing decoded from the parsed values (`JSONValueDecoder`, the same
    /// `Filing` as `JSONDecoder` gives on the bytes), so a caller that needs the document too
    /// (the self-check's module parts) does not parse it again.
    public static func decodeParsed(_ data: Data) -> Result<(filing: Filing, document: JSONValue), ValidationFailure> {
        let value: JSONValue
        switch parse(data) {
        case .success(let parsed): value = parsed
        case .failure(let failure): return .failure(failure)
        }
        let issues = validate(value)
        guard issues.isEmpty else { return .failure(ValidationFailure(issues: issues)) }
        do {
            return .success((try JSONValueDecoder().decode(Filing.self, from: value), value))
        } catch {
            return .failure(ValidationFailure(issues: [ValidationIssue(
                path: "$", rule: "decode", message: LocalizedText(zh: "无法解码：\(error)", en: "cannot decode: \(error)"),
                fix: LocalizedText(zh: "请报告此问题", en: "please report this problem"))]))
        }
    }

    /// The issues of a filing that did not validate.
    public struct ValidationFailure: Error, Sendable {
        /// Every issue, sorted by path.
        public var issues: [ValidationIssue]
    }

    struct Walker {
        var issues: [ValidationIssue] = []
        /// The JSON path of the value being checked, as UTF-8 bytes: grown by a member or an index
        /// as the walk descends and cut back after, so a path is made into a `String` only for an
        /// issue (`path`), not for every value of the document.
        var here: [UInt8]

        init() {
            here = [UInt8]()
            here.reserveCapacity(256)
            here.append(UInt8(ascii: "$"))
        }

        /// The path of the value being checked (`$`-rooted, as `JSONPath` writes it).
        var path: String { String(decoding: here, as: UTF8.self) }

        /// Goes down into the member `name`: `.name`, or `["name"]` when it is not a plain
        /// identifier — exactly `JSONPath.member`.
        mutating func enter(member name: String) {
            var plain = !name.isEmpty
            for byte in name.utf8 where !Walker.isPlain(byte) { plain = false; break }
            if plain {
                here.append(UInt8(ascii: "."))
                here.append(contentsOf: name.utf8)
            } else {
                here.append(UInt8(ascii: "["))
                here.append(UInt8(ascii: "\""))
                here.append(contentsOf: name.utf8)
                here.append(UInt8(ascii: "\""))
                here.append(UInt8(ascii: "]"))
            }
        }

        /// Goes down into the element `index`: `[index]`.
        mutating func enter(index: Int) {
            here.append(UInt8(ascii: "["))
            if index < 10 {
                here.append(UInt8(ascii: "0") + UInt8(index))
            } else {
                here.append(contentsOf: String(index).utf8)
            }
            here.append(UInt8(ascii: "]"))
        }

        /// Back up to the path `mark` bytes long.
        mutating func leave(to mark: Int) { here.removeLast(here.count - mark) }

        /// A byte `JSONPath.member` writes after a dot: an ASCII letter, digit or `_` (a scalar
        /// beyond ASCII has only bytes ≥ 0x80, none of them plain).
        static func isPlain(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): return true
            default: return false
            }
        }

        mutating func add(_ path: String, _ rule: String, _ zh: String, _ en: String, fixZh: String, fixEn: String) {
            issues.append(ValidationIssue(path: path, rule: rule, message: LocalizedText(zh: zh, en: en), fix: LocalizedText(zh: fixZh, en: fixEn)))
        }

        mutating func typeError(_ path: String, _ expected: (zh: String, en: String), _ found: JSONValue) {
            add(path, "type", "类型错误：应为\(expected.zh)，实为\(Walker.typeName(found).zh)",
                "wrong type: expected \(expected.en), found \(Walker.typeName(found).en)",
                fixZh: "改为\(expected.zh)", fixEn: "write \(expected.en)")
        }

        static func typeName(_ v: JSONValue) -> (zh: String, en: String) {
            switch v {
            case .null: return ("null", "null")
            case .bool: return ("布尔值", "a boolean")
            case .number: return ("数值", "a number")
            case .string: return ("字符串", "a string")
            case .array: return ("数组", "an array")
            case .object: return ("对象", "an object")
            }
        }

        /// Checks `value`, at `path`, against `shape`.
        mutating func check(_ value: JSONValue, _ shape: Shape) {
            switch shape {
            case .nullable(let inner):
                if case .null = value { return }
                check(value, inner)
            case .object(let fields):
                guard case .object(let members) = value else { return typeError(path, ("对象", "an object"), value) }
                // Each field looked up once; the members are counted rather than each hashed into a
                // set of the fields' names: when every member is a field, none is unknown. Else the
                // unknown ones are found by a scan of the fields and their issues put where they
                // stood before — ahead of the fields' own.
                let start = issues.count
                var known = 0
                for field in fields {
                    if let member = members[field.name] {
                        known += 1
                        let mark = here.count
                        here.append(contentsOf: field.pathMember)
                        check(member, field.shape)
                        leave(to: mark)
                    } else if field.required {
                        add(path + field.pathMemberText, "required", "缺少必填字段“\(field.name)”",
                            "missing required member \"\(field.name)\"",
                            fixZh: "补充：\(field.summaryZh)", fixEn: "add it: \(field.summary)")
                    }
                }
                if known < members.count {
                    let own = Array(issues[start...])
                    issues.removeSubrange(start...)
                    for key in members.keys where !fields.contains(where: { $0.name == key }) {
                        add(path + JSONPath.member(key), "unknown_field", "未知字段“\(key)”", "unknown member \"\(key)\"",
                            fixZh: "删除该字段或检查拼写；允许的字段：\(fields.map(\.name).joined(separator: ", "))",
                            fixEn: "remove it or correct the spelling; allowed: \(fields.map(\.name).joined(separator: ", "))")
                    }
                    issues.append(contentsOf: own)
                }
            case .keyed(let keys, let valueShape):
                guard case .object(let members) = value else { return typeError(path, ("对象", "an object"), value) }
                for (key, member) in members {
                    if keys.contains(key) {
                        let mark = here.count
                        enter(member: key)
                        check(member, valueShape)
                        leave(to: mark)
                    } else {
                        add(path + JSONPath.member(key), "unknown_field", "此处不接受“\(key)”的佐证", "no evidence \"\(key)\" belongs here",
                            fixZh: "允许的指标：\(keys.joined(separator: ", "))", fixEn: "allowed criteria: \(keys.joined(separator: ", "))")
                    }
                }
            case .array(let item, let min, let max):
                guard case .array(let elements) = value else { return typeError(path, ("数组", "an array"), value) }
                if elements.count < min || elements.count > max {
                    let range = min == max ? "\(min)" : "\(min)–\(max)"
                    add(path, "count", "应有 \(range) 项，实有 \(elements.count) 项",
                        "must have \(range) items, has \(elements.count)",
                        fixZh: "调整项数", fixEn: "adjust the number of items")
                }
                let mark = here.count
                for (i, element) in elements.enumerated() {
                    enter(index: i)
                    check(element, item)
                    leave(to: mark)
                }
            case .text(let format, let maxLength):
                guard case .string(let s) = value else { return typeError(path, ("字符串", "a string"), value) }
                checkText(s, format, maxLength)
            case .oneOf(let allowed):
                guard case .string(let s) = value else { return typeError(path, ("字符串", "a string"), value) }
                if !allowed.contains(s) {
                    add(path, "enum", "“\(s)”不是允许的取值", "\"\(s)\" is not an allowed value",
                        fixZh: "取以下之一：\(allowed.joined(separator: ", "))", fixEn: "use one of: \(allowed.joined(separator: ", "))")
                }
            case .money:
                guard case .number(let d) = value else { return typeError(path, ("以万元计的数值", "a number of 万元"), value) }
                checkDecimal(d, max: 1_000_000_000_000, scale: 2, money: true)
            case .decimal(let max, let scale):
                guard case .number(let d) = value else { return typeError(path, ("数值", "a number"), value) }
                checkDecimal(d, max: max, scale: scale, money: false)
            case .integer(let min, let max):
                guard case .number(let d) = value else { return typeError(path, ("整数", "a whole number"), value) }
                if !Walker.hasScale(d, atMost: 0) {
                    add(path, "integer", "应为整数，实为 \(d)", "must be a whole number, found \(d)",
                        fixZh: "填写整数", fixEn: "write a whole number")
                } else if d < Decimal(min) || d > Decimal(max) {
                    add(path, "range", "\(d) 超出范围 \(min)–\(max)", "\(d) is outside \(min)–\(max)",
                        fixZh: "填写 \(min) 到 \(max) 之间的整数", fixEn: "write a whole number from \(min) to \(max)")
                }
            case .bool:
                guard case .bool = value else { return typeError(path, ("布尔值 true/false", "true or false"), value) }
            }
        }

        mutating func checkDecimal(_ d: Decimal, max: Decimal, scale: Int, money: Bool) {
            // A value whose sign is plus is never below zero (NaN carries the minus sign); each
            // `Decimal` comparison normalizes both sides, so the bound is compared once.
            let over = d > max
            if d.sign == .minus, d < 0 {
                add(path, "negative", "不能为负数：\(d)", "must not be negative: \(d)", fixZh: "填写非负数", fixEn: "write a non-negative number")
            } else if over, max == 1, d <= 100 {
                // A rate written as a percentage: 60 for 60 %.
                let fraction = d / 100
                add(path, "range", "\(d) 大于 1：比率以小数填写，\(d)% 应写作 \(fraction)",
                    "\(d) is over 1: rates are fractions, so \(d) % is written \(fraction)",
                    fixZh: "写作 \(fraction)", fixEn: "write \(fraction)")
            } else if over {
                add(path, "range", "\(d) 超过上限 \(max)", "\(d) is over the limit \(max)",
                    fixZh: money ? "金额以万元填写，检查单位" : "检查数值与单位", fixEn: money ? "state money in 万元; check the unit" : "check the value and its unit")
            }
            if !Walker.hasScale(d, atMost: scale) {
                add(path, money ? "money_scale" : "scale",
                    money ? "金额（万元）最多两位小数：\(d)" : "最多 \(scale) 位小数：\(d)",
                    money ? "money (万元) has at most two decimals: \(d)" : "at most \(scale) decimals: \(d)",
                    fixZh: "四舍五入到 \(scale) 位小数", fixEn: "round to \(scale) decimals")
            }
        }

        static func hasScale(_ d: Decimal, atMost scale: Int) -> Bool {
            // A value written with at most `scale` decimals — its exponent not below −scale, as the
            // parser keeps a number's digits — has no more; the product below would be an integer
            // already. Other values (trailing zeros, say 1.50 for scale 1) take the exact check.
            let exponent = d.exponent
            if exponent >= -scale, exponent <= 64, !d.isNaN { return true }
            var scaled = d * Decimal(sign: .plus, exponent: scale, significand: 1)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &scaled, 0, .plain)
            return rounded == scaled
        }

        mutating func checkText(_ s: String, _ format: TextFormat, _ maxLength: Int) {
            // Scalars are never more than UTF-8 bytes: they are counted only when the bytes are too many.
            if s.utf8.count > maxLength {
                let length = s.unicodeScalars.count
                if length > maxLength {
                    add(path, "too_long", "长度 \(length) 超过上限 \(maxLength)", "length \(length) is over the limit \(maxLength)",
                        fixZh: "缩短到 \(maxLength) 个字符以内", fixEn: "shorten to at most \(maxLength) characters")
                    return
                }
            }
            let prose = format == .prose || format == .nonBlankProse
            // The first refused scalar: a plain loop over the scalars, the refusal (and its words)
            // made only for a scalar of a refused class.
            for scalar in s.unicodeScalars where TextCharacters.classify(scalar) != nil {
                if let refused = TextCharacters.refusal(of: scalar, inProse: prose) {
                    add(path, refused.rule, refused.message.zh, refused.message.en, fixZh: refused.fix.zh, fixEn: refused.fix.en)
                    return
                }
            }
            switch format {
            case .prose:
                break
            case .line, .nonBlankProse:
                if TextCharacters.isBlank(s) { add(path, "blank", "不能为空白", "must not be blank", fixZh: "填写内容", fixEn: "write the text") }
            case .date:
                if CivilDate(s) == nil {
                    add(path, "date", "“\(s)”不是有效日期", "\"\(s)\" is not a valid date", fixZh: "按 YYYY-MM-DD 填写存在的日期", fixEn: "write an existing date as YYYY-MM-DD")
                }
            case .countyCode:
                if HainanCounty.named(s) == nil {
                    add(path, "county_code", "“\(s)”不是海南省县级区划代码", "\"\(s)\" is not a Hainan county-level code",
                        fixZh: "填写 GB/T 2260 代码，如 460400（儋州市）", fixEn: "write a GB/T 2260 code, e.g. 460400 (儋州市)")
                }
            case .socialCreditCode:
                if let problem = SocialCreditCode.problem(s) {
                    add(path, "uscc", "统一社会信用代码“\(s)”无效：\(problem.zh)", "invalid unified social credit code \"\(s)\": \(problem.en)",
                        fixZh: "按营业执照核对 18 位代码", fixEn: "copy the 18 characters from the business licence")
                }
            case .sha256:
                if s.count != 64 || !s.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) {
                    add(path, "sha256", "不是 64 位小写十六进制 SHA-256", "not a SHA-256 of 64 lowercase hex digits",
                        fixZh: "填写文件的 SHA-256 摘要", fixEn: "write the document's SHA-256 digest")
                }
            case .identifier:
                if s.isEmpty || !s.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }) {
                    add(path, "identifier", "“\(s)”不是有效标识（字母、数字、. _ -）", "\"\(s)\" is not a valid id (letters, digits, . _ -)",
                        fixZh: "只用字母、数字、点、下划线和连字符", fixEn: "use only letters, digits, '.', '_' and '-'")
                }
            }
        }

        // MARK: Rules across members

        mutating func crossChecks(_ root: [String: JSONValue]) {
            let filingDate = root["filing_date"]?.string.flatMap(CivilDate.init)
            if let kindText = root["kind"]?.string, let kind = FilingKind(rawValue: kindText) {
                let allowed = FilingSchema.allowedSections(for: kind)
                for key in root.keys where Filing.sectionNames.contains(key) && !allowed.contains(key) {
                    add("$" + JSONPath.member(key), "not_allowed_for_kind", "“\(kindText)”类申报不应包含“\(key)”",
                        "a filing of kind \(kindText) must not carry \"\(key)\"", fixZh: "删除该部分或更正申报类型", fixEn: "remove the section or correct the kind")
                }
                for key in FilingSchema.requiredSections(for: kind) where root[key] == nil {
                    add("$" + JSONPath.member(key), "required", "“\(kindText)”类申报缺少“\(key)”",
                        "a filing of kind \(kindText) needs \"\(key)\"", fixZh: "补充该部分", fixEn: "add the section")
                }
                if kind == .annualReport, let filingDate, let year = root["annual_report"]?["year"]?.decimal, year != Decimal(filingDate.year - 1) {
                    add("$.annual_report.year", "year_sequence", "年度信息表应填报上一年度 \(filingDate.year - 1)，实为 \(year)",
                        "the annual form covers the previous year \(filingDate.year - 1), found \(year)",
                        fixZh: "填写 \(filingDate.year - 1)", fixEn: "write \(filingDate.year - 1)")
                }
            }
            // The management body: set up by the filing date; a change report that changes it states
            // the new body, under the name the change gives.
            if let established = root["cluster"]?["management_body"]?["established_on"]?.string.flatMap(CivilDate.init),
                let filingDate, established > filingDate
            {
                add("$.cluster.management_body.established_on", "after_filing_date",
                    "运营管理机构设立日期 \(established) 晚于申报日期 \(filingDate)",
                    "the management body's establishment date \(established) is after the filing date \(filingDate)",
                    fixZh: "填写该机构实际设立的日期", fixEn: "write the day the body was actually set up")
            }
            if root["kind"]?.string == FilingKind.changeReport.rawValue, case .array(let changes)? = root["change_report"]?["changes"] {
                for (i, change) in changes.enumerated() where change["subject"]?.string == "management_body" {
                    guard let after = change["after"]?.string else { continue }
                    let stated = root["cluster"]?["management_body"]?["name"]?.string
                    if stated != after {
                        add("$.change_report.changes[\(i)].after", "management_body_change",
                            stated.map { "变更后的运营管理机构“\(after)”与 cluster.management_body 的名称“\($0)”不一致" }
                                ?? "变更运营管理机构须在 cluster.management_body 中填报新机构（名称、类型、设立日期、证明材料）",
                            stated.map { "the management body after the change, \"\(after)\", is not the one cluster.management_body names, \"\($0)\"" }
                                ?? "a change of management body states the new body in cluster.management_body (name, kind, established_on, evidence)",
                            fixZh: "在 cluster.management_body 中填报变更后的机构，名称与 after 一致",
                            fixEn: "state the new body in cluster.management_body, its name the same as after")
                    }
                }
            }
            if case .array(let rows)? = root["figures"], let filingDate {
                let y = filingDate.year
                // An annual report carries one row, its year (Y−1); the others three, Y−3…Y−1.
                let annual = root["kind"]?.string == FilingKind.annualReport.rawValue
                let expectedCount = annual ? 1 : 3
                let firstYear = annual ? y - 1 : y - 3
                if annual, (1...3).contains(rows.count), rows.count != expectedCount {
                    add("$.figures", "count", "年度报告只填报 \(y - 1) 年一行数据，实有 \(rows.count) 行",
                        "an annual report gives one row, for \(y - 1); found \(rows.count)",
                        fixZh: "只保留 \(y - 1) 年一行（前两年取自认定名单）", fixEn: "keep the one row for \(y - 1) (the two years before come from the register)")
                }
                if !annual, (1...2).contains(rows.count) {
                    add("$.figures", "count", "应有 3 项，实有 \(rows.count) 项", "must have 3 items, has \(rows.count)",
                        fixZh: "调整项数", fixEn: "adjust the number of items")
                }
                // With a row missing, name the year rather than call the remaining rows shifted; with
                // three rows, a wrong year is reported at its own row.
                let given = Set(rows.compactMap { $0["year"]?.decimal })
                let missing = !annual && rows.count < 3 ? (y - 3...y - 1).filter { !given.contains(Decimal($0)) } : []
                if !missing.isEmpty {
                    // Name the years that are missing rather than let the rows read as shifted.
                    let years = missing.map(String.init).joined(separator: "、"), yearsEn = missing.map(String.init).joined(separator: ", ")
                    add("$.figures", "missing_year", "缺少 \(years) 年的数据（\(y) 年申报，近三年为 \(y - 3)–\(y - 1)）",
                        "the figures for \(yearsEn) are missing (filed in \(y), the three years are \(y - 3)–\(y - 1))",
                        fixZh: "补充 \(years) 年的一行，按 \(y - 3)、\(y - 2)、\(y - 1) 的顺序排列",
                        fixEn: "add a row for \(yearsEn), keeping the years \(y - 3), \(y - 2), \(y - 1) in that order")
                }
                for (i, row) in rows.enumerated() {
                    let expected = firstYear + i
                    if annual, rows.count == 1, let year = row["year"]?.decimal, year != Decimal(expected) {
                        add("$.figures[0].year", "year_sequence", "年度报告的数据应为 \(expected) 年（\(y) 年报送上一年度），实为 \(year)",
                            "an annual report's figures are for \(expected) (filed in \(y), for the year before), found \(year)",
                            fixZh: "填写 \(expected)", fixEn: "write \(expected)")
                    } else if !annual, missing.isEmpty, let year = row["year"]?.decimal, year != Decimal(expected) {
                        add("$.figures[\(i)].year", "year_sequence", "第 \(i + 1) 行应为 \(expected) 年（\(y) 年申报，近三年为 \(y - 3)–\(y - 1)），实为 \(year)",
                            "row \(i + 1) must be year \(expected) (filed in \(y), the three years are \(y - 3)–\(y - 1)), found \(year)",
                            fixZh: "按 \(y - 3)、\(y - 2)、\(y - 1) 的顺序填写三年数据", fixEn: "give the years \(y - 3), \(y - 2), \(y - 1) in that order")
                    }
                    if let total = row["total_output_wan"]?.decimal {
                        for part in ["sme_output_wan", "leading_industry_output_wan"] {
                            if let v = row[part]?.decimal, v > total {
                                add("$.figures[\(i)].\(part)", "exceeds_total", "\(v) 超过总产值 \(total)", "\(v) exceeds the total output \(total)",
                                    fixZh: "部分产值不能超过总产值", fixEn: "a part of the output cannot exceed the total")
                            }
                        }
                    }
                }
            }
            if case .array(let counties)? = root["cluster"]?["county_codes"], Set(counties).count < counties.count {
                add("$.cluster.county_codes", "duplicate", "县级区划代码重复", "a county code repeats",
                    fixZh: "每个代码只列一次", fixEn: "list each code once")
            }
            // Unique enterprise codes.
            var enterpriseCodes = Set<String>()
            if case .array(let list)? = root["enterprises"] {
                var seen: [String: Int] = [:]
                for (i, e) in list.enumerated() {
                    guard let code = e["code"]?.string else { continue }
                    enterpriseCodes.insert(code)
                    if let first = seen[code] {
                        add("$.enterprises[\(i)].code", "duplicate", "统一社会信用代码 \(code) 与第 \(first) 项重复",
                            "the code \(code) repeats enterprises[\(first)]", fixZh: "每家企业只列一次，把多项认定合并到同一项", fixEn: "list each enterprise once; put all its designations in one entry")
                    } else {
                        seen[code] = i
                    }
                }
            }
            // Enterprise changes of an annual or change report: one entry per code; an enterprise that
            // joined is in `enterprises` (the list as it now stands), one that left is not; the day
            // is not after the filing date.
            for section in ["annual_report", "change_report"] {
                guard case .array(let changes)? = root[section]?["enterprise_changes"] else { continue }
                var seenChange: [String: Int] = [:]
                for (i, change) in changes.enumerated() {
                    let path = "$.\(section).enterprise_changes[\(i)]"
                    guard let code = change["code"]?.string, SocialCreditCode.isValid(code) else { continue }
                    if let first = seenChange[code] {
                        add(path + ".code", "duplicate", "统一社会信用代码 \(code) 与第 \(first) 项重复", "the code \(code) repeats enterprise_changes[\(first)]",
                            fixZh: "每家企业只列一次", fixEn: "list each enterprise once")
                    } else {
                        seenChange[code] = i
                    }
                    switch change["change"]?.string {
                    case "joined" where !enterpriseCodes.contains(code):
                        add(path + ".code", "unknown_enterprise", "新加入的企业 \(code) 不在 enterprises 名单中",
                            "\(code) joined but is not listed in enterprises",
                            fixZh: "把该企业列入 enterprises（名单为报送时的全部企业）", fixEn: "list it in enterprises (the list as it now stands)")
                    case "left" where enterpriseCodes.contains(code):
                        add(path + ".code", "still_listed", "已退出的企业 \(code) 仍在 enterprises 名单中",
                            "\(code) left but is still listed in enterprises",
                            fixZh: "从 enterprises 中删除该企业，或更正变动类型", fixEn: "remove it from enterprises, or correct the change")
                    default:
                        break
                    }
                    if let effective = change["effective"]?.string.flatMap(CivilDate.init), let filingDate, effective > filingDate {
                        add(path + ".effective", "after_filing_date", "变动日期 \(effective) 晚于报送日期 \(filingDate)",
                            "the change's date \(effective) is after the filing date \(filingDate)",
                            fixZh: "填写已经发生的变动日期", fixEn: "write the day the change took place")
                    }
                }
            }
            if case .array(let list)? = root["incidents"] {
                for (i, incident) in list.enumerated() {
                    if let code = incident["enterprise_code"]?.string, SocialCreditCode.isValid(code), !enterpriseCodes.contains(code) {
                        add("$.incidents[\(i)].enterprise_code", "unknown_enterprise", "\(code) 不在集群企业名单中", "\(code) is not among the cluster's enterprises",
                            fixZh: "只申报集群企业的事件，或把该企业列入 enterprises", fixEn: "declare incidents of cluster enterprises only, or list the enterprise")
                    }
                    guard let category = incident["category"]?.string else { continue }
                    let graded = !FilingSchema.conductCategories.contains(category)
                    if graded && incident["grade"] == nil {
                        add("$.incidents[\(i)].grade", "required", "“\(category)”类事件需要等级", "a \(category) incident needs a grade",
                            fixZh: "填写 general、larger、major 或 especially_major", fixEn: "write general, larger, major or especially_major")
                    } else if !graded && incident["grade"] != nil {
                        add("$.incidents[\(i)].grade", "not_allowed", "“\(category)”类事件不分等级", "a \(category) incident has no grade",
                            fixZh: "删除 grade", fixEn: "remove the grade")
                    }
                }
            }
            // Documents: unique ids, every reference listed.
            var documentIds = Set<String>()
            if case .array(let docs)? = root["documents"] {
                for (i, doc) in docs.enumerated() {
                    guard let id = doc["id"]?.string else { continue }
                    if !documentIds.insert(id).inserted {
                        add("$.documents[\(i)].id", "duplicate", "文件编号 \(id) 重复", "the document id \(id) repeats",
                            fixZh: "每个文件编号只用一次", fixEn: "use each document id once")
                    }
                }
            }
            leave(to: 0)
            here.append(UInt8(ascii: "$"))
            for (key, value) in root where key != "documents" {
                enter(member: key)
                checkReferences(value, documentIds)
                leave(to: 1)
            }
            // Publicity cannot reach more enterprises than the cluster has.
            if let publicity = root["governance"]?["publicity"], let total = publicity["enterprises_in_cluster"]?.decimal,
                let reached = publicity["enterprises_reached"]?.decimal, reached > total
            {
                add("$.governance.publicity.enterprises_reached", "publicity_exceeds", "覆盖企业数 \(reached) 超过集群企业数 \(total)",
                    "enterprises reached (\(reached)) exceed the enterprises in the cluster (\(total))",
                    fixZh: "核对两项数字", fixEn: "check both numbers")
            }
            // 不漏户: the stated number of enterprises in the cluster covers every enterprise listed
            // (counted once per unified social credit code; a repeated code is its own error).
            if let stated = root["governance"]?["publicity"]?["enterprises_in_cluster"]?.decimal,
                Walker.hasScale(stated, atMost: 0), Decimal(enterpriseCodes.count) > stated
            {
                let listed = enterpriseCodes.count
                add("$.governance.publicity.enterprises_in_cluster", "enterprises_exceed_stated",
                    "企业名单列出 \(listed) 家企业，多于申报的集群企业数 \(stated)（不漏户：集群企业数应涵盖名单中的每一家企业）",
                    "the filing lists \(listed) enterprises, more than the \(stated) it states the cluster has (不漏户: the stated number must cover every enterprise)",
                    fixZh: "核对两项数字：集群企业数不少于 enterprises 中的企业数（\(listed)）",
                    fixEn: "check both numbers: the enterprises in the cluster must be at least the enterprises listed (\(listed))")
            }
            // Plan goal ids are unique.
            if case .array(let goals)? = root["governance"]?["plan"]?["goals"] {
                var seen = Set<String>()
                for (i, goal) in goals.enumerated() {
                    if let id = goal["id"]?.string, !seen.insert(id).inserted {
                        add("$.governance.plan.goals[\(i)].id", "duplicate", "目标编号 \(id) 重复", "the goal id \(id) repeats",
                            fixZh: "每个目标编号只用一次", fixEn: "use each goal id once")
                    }
                }
            }
            for section in ["energy", "water"] {
                guard let eff = root["green"]?[section], eff["applicable"] == .bool(true) else { continue }
                for member in ["value", "benchmark", "direction"] where eff[member] == nil || eff[member] == .null {
                    add("$.green.\(section).\(member)", "required", "适用时需要“\(member)”", "\"\(member)\" is needed when applicable",
                        fixZh: "补充能效/水效数值、基准值和方向", fixEn: "give the value, the benchmark and the direction")
                }
            }
        }

        /// Every `documents` array below `value` names only listed documents.
        mutating func checkReferences(_ value: JSONValue, _ ids: Set<String>) {
            switch value {
            case .object(let members):
                let mark = here.count
                for (key, member) in members {
                    // A string, number, true, false or null holds no `documents`.
                    switch member {
                    case .object, .array: break
                    default: continue
                    }
                    enter(member: key)
                    defer { leave(to: mark) }
                    if key == "documents", case .array(let refs) = member {
                        for (i, ref) in refs.enumerated() {
                            if let id = ref.string, !ids.contains(id) {
                                add(path + "[\(i)]", "document_missing", "引用的文件“\(id)”不在 documents 清单中",
                                    "the document \"\(id)\" is referenced but not listed in documents",
                                    fixZh: "在 documents 中列出该文件及其 SHA-256", fixEn: "list it in documents with its SHA-256")
                            }
                        }
                    } else {
                        checkReferences(member, ids)
                    }
                }
            case .array(let elements):
                let mark = here.count
                for (i, element) in elements.enumerated() {
                    switch element {
                    case .object, .array: break
                    default: continue
                    }
                    enter(index: i)
                    checkReferences(element, ids)
                    leave(to: mark)
                }
            default:
                break
            }
        }
    }
}
