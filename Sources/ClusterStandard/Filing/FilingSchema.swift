import Foundation
import IndicatorKit
import JSONCore

/// The shape of a filing, declared once: `FilingValidator` walks it and `FilingSchema.jsonSchema()`
/// prints it as the JSON Schema in config/filing.schema.json.
indirect enum Shape: Sendable {
    case object([Field])
    /// An object whose member names come from `keys` (evidence by criterion id).
    case keyed(keys: [String], value: Shape)
    case array(Shape, min: Int, max: Int)
    case text(TextFormat, maxLength: Int)
    case oneOf([String])
    /// Money in 万元: ≥ 0, at most two decimals, ≤ 10^12.
    case money
    /// A non-negative exact decimal up to `max`, at most `scale` decimals.
    case decimal(max: Decimal, scale: Int)
    case integer(min: Int, max: Int)
    case bool
    case nullable(Shape)
}

/// How a string is checked.
enum TextFormat: Sendable {
    /// One line: no control characters; must not be blank.
    case line
    /// Prose: tabs and line breaks allowed, other control characters not; may be blank.
    case prose
    /// Prose that must not be blank.
    case nonBlankProse
    case date
    case countyCode
    case socialCreditCode
    case sha256
    /// An id (letters, digits, `-`, `_`, `.`).
    case identifier
}

/// A member of an object shape.
struct Field: Sendable {
    var name: String
    var shape: Shape
    var required: Bool
    var summary: String
    /// `JSONPath.member(name)`, made once: what the validator appends to a path to go down into it.
    var pathMemberText: String
    /// `pathMemberText` as UTF-8.
    var pathMember: [UInt8]

    init(_ name: String, _ shape: Shape, required: Bool = true, _ summary: String) {
        self.name = name
        self.shape = shape
        self.required = required
        self.summary = summary
        self.pathMemberText = JSONPath.member(name)
        self.pathMember = Array(pathMemberText.utf8)
    }
}

/// The filing format, version 1.
public enum FilingSchema {
    /// The format version this build reads.
    public static let formatVersion = 1
    /// Longest single-line string, in characters.
    public static let maxLineLength = 200
    /// Longest statement, in characters.
    public static let maxProseLength = 4000

    static let line = Shape.text(.line, maxLength: maxLineLength)
    static let prose = Shape.text(.prose, maxLength: maxProseLength)
    static let docRefs = Shape.array(.text(.identifier, maxLength: 64), min: 0, max: 50)
    static let rate = Shape.decimal(max: 1, scale: 4)

    static func evidence(_ ids: [String]) -> Shape {
        .keyed(keys: ids, value: evidenceItem)
    }
    static let evidenceItem = Shape.object([
        Field("statement", .nullable(prose), required: false, "what the county states"),
        Field("documents", docRefs, "ids from `documents`"),
    ])

    static let planGoal = Shape.object([
        Field("id", .text(.identifier, maxLength: 64), "unique id of the goal"),
        Field("metric", .nullable(line), required: false, "what is measured"),
        Field("baseline", .nullable(.decimal(max: 1_000_000_000_000, scale: 4)), required: false, "value at the start"),
        Field("target", .nullable(.decimal(max: 1_000_000_000_000, scale: 4)), required: false, "value to reach"),
        Field("year", .nullable(.integer(min: 2000, max: 2100)), required: false, "year the target is due"),
        Field("direction", .oneOf(["increase", "decrease"]), required: false, "increase (default) or decrease"),
        Field("unit", line, required: false, "unit of the metric"),
    ])
    static let plan = Shape.object([
        Field("goals", .array(planGoal, min: 0, max: 100), "assessable goals"),
        Field("measures", .array(.object([
            Field("area", .oneOf(planAreas), "Art. 5 area"),
            Field("description", .text(.nonBlankProse, maxLength: maxProseLength), "the measure"),
        ]), min: 0, max: 100), "measures by Art. 5 area"),
    ])
    /// Kinds of operating management body (Standard 八: 管委会等运营管理机构): a management committee
    /// (管委会), an operating company (运营公司), a promotion organization (促进中心、协会、联盟), other.
    public static let managementBodyKinds = ["management_committee", "operating_company", "promotion_organization", "other"]
    static let managementBody = Shape.object([
        Field("name", line, "its name"),
        Field("kind", .oneOf(managementBodyKinds), "management_committee, operating_company, promotion_organization or other"),
        Field("established_on", .text(.date, maxLength: 10), "the day it was set up (YYYY-MM-DD), not after the filing date"),
        Field("evidence", evidenceItem, "a statement and its founding document"),
    ])
    /// The six areas of Art. 5 a plan's measures must cover (GOVE-4).
    public static let planAreas = ["leading_industry", "innovation", "digital", "green", "openness", "governance"]
    /// SUPP-3's five sharing mechanisms.
    public static let sharingKinds = ["equipment", "logistics", "warehousing", "human_resources", "design"]
    /// INNO-3's three kinds of partner.
    public static let partnerKinds = ["large_enterprise", "university", "research_institute"]
    /// OPEN-2's four kinds of exchange.
    public static let exchangeKinds = ["technology", "management", "talent", "capital"]
    /// Incident categories: VETO-1 (accidents), VETO-2 (security), VETO-3 (conduct).
    public static let accidentCategories = ["safety", "quality", "environment"]
    /// VETO-2's categories.
    public static let securityCategories = ["cyber", "data"]
    /// VETO-3's categories; they carry no grade.
    public static let conductCategories = ["tax_evasion", "illegal_conduct", "serious_dishonesty", "other_major"]
    /// Incident grades, lowest first.
    public static let grades = ["general", "larger", "major", "especially_major"]

    static let efficiency = Shape.nullable(.object([
        Field("applicable", .bool, "whether the industry is high energy-consuming (water-using)"),
        Field("value", .nullable(.decimal(max: 1_000_000_000, scale: 6)), required: false, "the cluster's figure"),
        Field("benchmark", .nullable(.decimal(max: 1_000_000_000, scale: 6)), required: false, "the industry benchmark"),
        Field("direction", .oneOf(["lower_is_better", "higher_is_better"]), required: false, "which way is better"),
        Field("unit", line, required: false, "unit of value and benchmark"),
    ]))

    /// Enterprises joining or leaving a register entry (an annual or change report): the register
    /// counts a joined enterprise for Art. 14(5) from `effective`.
    static let enterpriseChanges = Shape.array(.object([
        Field("code", .text(.socialCreditCode, maxLength: 18), "the enterprise's unified social credit code"),
        Field("name", line, "its name"),
        Field("change", .oneOf(["joined", "left"]), "joined or left"),
        Field("effective", .text(.date, maxLength: 10), "the day (YYYY-MM-DD), not after the filing date"),
    ]), min: 0, max: 500)

    static let incident = Shape.object([
        Field("enterprise_code", .text(.socialCreditCode, maxLength: 18), "the enterprise's code"),
        Field("date", .text(.date, maxLength: 10), "when it happened"),
        Field("category", .oneOf(accidentCategories + securityCategories + conductCategories), "what kind"),
        Field("grade", .oneOf(grades), required: false, "grade (accidents and security incidents only)"),
        Field("description", prose, required: false, "what happened"),
    ])

    static let root = Shape.object([
        Field("format_version", .integer(min: 1, max: 1), "always 1"),
        Field("kind", .oneOf(FilingKind.allCases.map(\.rawValue)), "the kind of filing"),
        Field("filing_date", .text(.date, maxLength: 10), "YYYY-MM-DD"),
        Field("supersedes", .integer(min: 1, max: 9_007_199_254_740_991), required: false,
              "the id of the county's returned filing this one corrects"),
        Field("applicant", .object([
            Field("county_code", .text(.countyCode, maxLength: 6), "GB/T 2260 code"),
            Field("authority", line, "the county SME authority"),
        ]), "the filer"),
        Field("cluster", .object([
            Field("name", line, "the cluster's name"),
            Field("leading_industry", line, "the leading industry"),
            Field("county_codes", .array(.text(.countyCode, maxLength: 6), min: 1, max: 26), "divisions it lies in"),
            Field("area_km2", .decimal(max: 100_000, scale: 2), "area in km²"),
            Field("management_body", managementBody, required: false,
                  "the operating management body (Standard 八; a change of it is reported, Art. 14(4))"),
        ]), "the cluster"),
        Field("figures", .array(.object([
            Field("year", .integer(min: 1990, max: 2100), "the calendar year"),
            Field("total_output_wan", .money, "total output, 万元"),
            Field("sme_output_wan", .money, "SME output, 万元"),
            Field("leading_industry_output_wan", .money, "leading-industry output, 万元"),
            Field("employees", .integer(min: 1, max: 10_000_000), "employees, a positive whole number"),
            Field("sme_rd_expenditure_wan", .money, "SME R&D expenditure, 万元"),
            Field("valid_invention_patents", .integer(min: 0, max: 10_000_000), "valid invention patents"),
            Field("exports_wan", .money, "exports, 万元"),
            Field("co2_intensity", .decimal(max: 1_000_000, scale: 6), "CO2 t per 万元"),
            Field("industrial_internet_rate", rate, "0…1"),
            Field("industrial_software_rate", rate, "0…1"),
        ]), min: 1, max: 3), required: false, "years Y−3, Y−2, Y−1 (an annual report: the one year Y−1)"),
        Field("enterprises", .array(.object([
            Field("code", .text(.socialCreditCode, maxLength: 18), "unified social credit code"),
            Field("name", line, "name"),
            Field("sme", .bool, "an SME"),
            Field("leading_industry", .bool, "in the leading industry"),
            Field("designations", .array(.object([
                Field("kind", .oneOf(Designation.Kind.allCases.map(\.rawValue)), "designation"),
                Field("level", .oneOf(["national", "provincial"]), "who designated it"),
                Field("valid_until", .nullable(.text(.date, maxLength: 10)), required: false, "last valid day"),
            ]), min: 0, max: 10), "designations held"),
        ]), min: 1, max: 2000), "the cluster's enterprises"),
        Field("competitiveness", .object([
            Field("evidence", evidence(["COMP-1", "COMP-2", "COMP-3", "COMP-4"]), "COMP-1..4"),
            Field("growth_waiver", .nullable(.object([
                Field("reason", .text(.nonBlankProse, maxLength: maxProseLength), "the special circumstance"),
                Field("documents", docRefs, "supporting documents"),
            ])), required: false, "COMP-9 waiver claim"),
        ]), required: false, "competitiveness evidence"),
        Field("tiering", .object([Field("evidence", evidence(["TIER-2"]), "TIER-2")]), required: false, "tiering evidence"),
        Field("supply_chain", .object([
            Field("evidence", evidence(["SUPP-1", "SUPP-2", "SUPP-3", "SUPP-4"]), "SUPP-1..4"),
            Field("sharing", .array(.oneOf(sharingKinds), min: 0, max: 5), "sharing mechanisms"),
        ]), required: false, "supply-chain evidence"),
        Field("innovation", .object([
            Field("evidence", evidence(["INNO-2", "INNO-3", "INNO-4", "INNO-5"]), "INNO-2..5"),
            Field("platforms", .array(.object([Field("name", line, "name"), Field("type", line, "type")]), min: 0, max: 100), "platforms"),
            Field("partners", .array(.object([Field("name", line, "name"), Field("kind", .oneOf(partnerKinds), "kind")]), min: 0, max: 200), "partners"),
            Field("standards", .array(.object([Field("code", line, "code"), Field("title", line, "title")]), min: 0, max: 200), "standards"),
        ]), required: false, "innovation facts"),
        Field("digital", .object([
            Field("evidence", evidence(["DIGI-1", "DIGI-2", "DIGI-3", "DIGI-5", "DIGI-6"]), "DIGI evidence"),
        ]), required: false, "digital evidence"),
        Field("green", .object([
            Field("evidence", evidence(["GREE-1", "GREE-3"]), "GREE evidence"),
            Field("energy", efficiency, required: false, "energy efficiency (GREE-4)"),
            Field("water", efficiency, required: false, "water efficiency (GREE-5)"),
        ]), required: false, "green facts"),
        Field("openness", .object([
            Field("evidence", evidence(["OPEN-1", "OPEN-2", "OPEN-3"]), "OPEN evidence"),
            Field("exchanges", .array(.oneOf(exchangeKinds), min: 0, max: 4), "kinds of exchange"),
        ]), required: false, "openness facts"),
        Field("governance", .object([
            Field("evidence", evidence(["GOVE-1", "GOVE-2", "GOVE-4"]), "GOVE evidence"),
            Field("publicity", .object([
                Field("enterprises_in_cluster", .integer(min: 0, max: 1_000_000), "enterprises in the cluster"),
                Field("enterprises_reached", .integer(min: 0, max: 1_000_000), "enterprises reached"),
            ]), "policy publicity"),
            Field("plan", plan, "the three-year plan"),
        ]), required: false, "governance facts"),
        Field("incidents", .array(incident, min: 0, max: 500), "declared incidents"),
        Field("plan_report", .object([
            Field("achievements", .array(.object([
                Field("goal_id", .text(.identifier, maxLength: 64), "goal id in the plan on record"),
                Field("achieved", .decimal(max: 1_000_000_000_000, scale: 4), "achieved value"),
            ]), min: 0, max: 100), "achieved values"),
        ]), required: false, "recertification: achieved values"),
        Field("annual_report", .object([
            Field("year", .integer(min: 1990, max: 2100), "the previous year"),
            Field("progress", evidenceItem, "plan execution, progress, problems"),
            Field("enterprise_changes", enterpriseChanges, required: false, "enterprises that joined or left in the year"),
        ]), required: false, "annual information form"),
        Field("change_report", .object([
            Field("changes", .array(.object([
                Field("subject", .oneOf(["leading_industry", "spatial_extent", "management_body"]), "what changed"),
                Field("before", line, "before"),
                Field("after", line, "after"),
                Field("effective", .text(.date, maxLength: 10), "from when"),
            ]), min: 1, max: 20), "changes"),
            Field("enterprise_changes", enterpriseChanges, required: false, "enterprises that joined or left"),
        ]), required: false, "major changes"),
        Field("documents", .array(.object([
            Field("id", .text(.identifier, maxLength: 64), "unique id"),
            Field("title", line, "title"),
            Field("sha256", .text(.sha256, maxLength: 64), "SHA-256, 64 lowercase hex digits"),
        ]), min: 0, max: 500), "documents referenced"),
    ])

    /// Sections required by kind (beyond those every filing carries).
    static func requiredSections(for kind: FilingKind) -> [String] {
        let review = ["figures", "competitiveness", "tiering", "supply_chain", "innovation", "digital", "green", "openness", "governance"]
        switch kind {
        case .initial: return review
        case .recertification: return review + ["plan_report"]
        case .annualReport: return ["annual_report", "figures"]
        case .changeReport: return ["change_report"]
        }
    }

    /// Sections allowed by kind; any other is an error.
    static func allowedSections(for kind: FilingKind) -> Set<String> {
        let common: Set<String> = ["format_version", "kind", "filing_date", "supersedes", "applicant", "cluster", "enterprises", "incidents", "documents"]
        switch kind {
        case .initial, .recertification: return common.union(requiredSections(for: kind))
        case .annualReport: return common.union(requiredSections(for: kind))
        case .changeReport: return common.union(["change_report"])
        }
    }

    /// The format as a JSON Schema (draft 2020-12), written to config/filing.schema.json.
    /// The schema states shapes; cross-field rules (years, codes, references) are in docs/filing-format.md.
    public static func jsonSchema() -> JSONValue {
        var schema = schemaOf(root)
        if case .object(var members) = schema {
            members["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            members["$id"] = "https://clusterreview.example/filing.schema.json"
            members["title"] = "ClusterReview filing, format version 1"
            schema = .object(members)
        }
        return schema
    }

    static func schemaOf(_ shape: Shape) -> JSONValue {
        switch shape {
        case .object(let fields):
            var props: [String: JSONValue] = [:]
            for f in fields {
                var s = schemaOf(f.shape)
                if case .object(var m) = s { m["description"] = .string(f.summary); s = .object(m) }
                props[f.name] = s
            }
            return ["type": "object", "additionalProperties": false, "properties": .object(props),
                    "required": .array(fields.filter(\.required).map { .string($0.name) })]
        case .keyed(let keys, let value):
            return ["type": "object", "additionalProperties": false,
                    "properties": .object(Dictionary(uniqueKeysWithValues: keys.map { ($0, schemaOf(value)) }))]
        case .array(let item, let min, let max):
            return ["type": "array", "items": schemaOf(item), "minItems": .number(Decimal(min)), "maxItems": .number(Decimal(max))]
        case .text(let format, let maxLength):
            var s: [String: JSONValue] = ["type": "string", "maxLength": .number(Decimal(maxLength))]
            switch format {
            case .line, .nonBlankProse: s["pattern"] = "\\S"
            case .prose: break
            case .date: s["format"] = "date"
            case .countyCode: s["enum"] = .array(HainanCounty.all.map { .string($0.code) })
            case .socialCreditCode: s["pattern"] = "^[0-9A-HJ-NPQRTUWXY]{18}$"
            case .sha256: s["pattern"] = "^[0-9a-f]{64}$"
            case .identifier: s["pattern"] = "^[A-Za-z0-9._-]+$"
            }
            return .object(s)
        case .oneOf(let values):
            return ["type": "string", "enum": .array(values.map { .string($0) })]
        case .money:
            return ["type": "number", "minimum": 0, "maximum": 1_000_000_000_000, "multipleOf": .number(Decimal(string: "0.01")!)]
        case .decimal(let max, let scale):
            return ["type": "number", "minimum": 0, "maximum": .number(max),
                    "multipleOf": .number(Decimal(sign: .plus, exponent: -scale, significand: 1))]
        case .integer(let min, let max):
            return ["type": "integer", "minimum": .number(Decimal(min)), "maximum": .number(Decimal(max))]
        case .bool:
            return ["type": "boolean"]
        case .nullable(let inner):
            return ["anyOf": [schemaOf(inner), ["type": "null"]]]
        }
    }
}
