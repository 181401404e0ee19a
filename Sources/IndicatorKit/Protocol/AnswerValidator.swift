import Foundation
import JSONCore

/// How large one finding of an answer may be. The coordinator applies the limits configured in
/// `config/modules.json`; the SDK and `plugins check` use the same defaults.
public struct AnswerLimits: Sendable, Hashable, Codable {
    /// Bytes (UTF-8) of each of a finding's two messages, `message.zh` and `message.en` (default 4 KiB).
    public var messageBytes: Int
    /// Bytes of a finding's values as compact JSON — `observed`, `threshold`, `margin` and
    /// `parameters` together (default 16 KiB).
    public var valueBytes: Int
    /// Bytes of a finding's `citation` (default 1 KiB).
    public var citationBytes: Int
    /// How deeply arrays and objects may nest inside one value (default 32).
    public var depth: Int

    /// Limits; the defaults are the protocol's.
    public init(messageBytes: Int = 4096, valueBytes: Int = 16384, citationBytes: Int = 1024, depth: Int = 32) {
        self.messageBytes = messageBytes
        self.valueBytes = valueBytes
        self.citationBytes = citationBytes
        self.depth = depth
    }

    /// The protocol's defaults.
    public static let standard = AnswerLimits()

    /// The longest `findings` line a module declaring `criteria` criteria can write within these
    /// limits (JSON escaping can at most sextuple a character, so text is counted six times over).
    /// A longer line cannot be a valid answer: the coordinator refuses it without parsing it.
    public func replyBytes(criteria: Int) -> Int {
        let perFinding = 6 * (2 * messageBytes + citationBytes + 64) + valueBytes + 512
        return 256 + max(1, criteria) * perFinding
    }
}

/// Why an answer was refused: the first rule a finding broke.
public enum AnswerViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// The finding names a criterion the module did not declare (another module's, or none).
    case undeclaredCriterion(String)
    /// Two findings name the same criterion.
    case duplicateCriterion(String)
    /// The score is outside 0…100.
    case scoreOutOfRange(criterion: String, score: Int)
    /// The verdict is one a module may not send (`error` is the coordinator's own).
    case forbiddenVerdict(criterion: String, verdict: Verdict)
    /// The comparator is not one of `>=`, `>`, `<=`, `<`, `==`.
    case unknownComparator(criterion: String, comparator: String)
    /// A text or value holds NUL (U+0000), which PostgreSQL refuses in text and in jsonb.
    case forbiddenCharacter(criterion: String, field: String)
    /// A message is empty in one language.
    case emptyMessage(criterion: String, language: Language)
    /// A field is larger than the limit.
    case tooLarge(criterion: String, field: String, bytes: Int, limit: Int)
    /// A value nests deeper than the limit.
    case tooDeep(criterion: String, field: String, limit: Int)
    /// The whole reply is longer than any valid answer of the module can be (`AnswerLimits.replyBytes`).
    case replyTooLarge(bytes: Int, limit: Int)

    /// One line for a person.
    public var description: String {
        switch self {
        case .undeclaredCriterion(let id): "a finding for \(id), a criterion the module did not declare"
        case .duplicateCriterion(let id): "two findings for \(id)"
        case .scoreOutOfRange(let id, let score): "score \(score) for \(id) is outside 0...100"
        case .forbiddenVerdict(let id, let verdict):
            "verdict \(verdict.rawValue) for \(id): a module may not send it (the coordinator records error when a module cannot answer)"
        case .unknownComparator(let id, let comparator):
            "comparator \(comparator.debugDescription) for \(id) is not one of >=, >, <=, <, =="
        case .forbiddenCharacter(let id, let field): "\(id).\(field) holds NUL (U+0000), which the database refuses"
        case .emptyMessage(let id, let language): "\(id).message.\(language.rawValue) is empty"
        case .tooLarge(let id, let field, let bytes, let limit): "\(id).\(field) is \(bytes) bytes, over the limit of \(limit)"
        case .tooDeep(let id, let field, let limit): "\(id).\(field) nests deeper than \(limit) levels"
        case .replyTooLarge(let bytes, let limit): "the reply is \(bytes) bytes, more than a valid answer can be (\(limit))"
        }
    }
}

/// Checks a module's answer before anything else sees it: the one rule book for answers, used by
/// the coordinator's worker pools, by `plugins check` and by the SDK before it sends.
///
/// An answer is valid when every finding names a criterion the module declared, at most once;
/// scores are within 0…100; verdicts are a module's (`pass`, `fail`, `warn`, `manual`,
/// `not_applicable` — never `error`); comparators are `>=`, `>`, `<=`, `<` or `==`; no text,
/// object key or string value holds NUL; both messages say something; and every field is within
/// `limits`. A valid answer can always be written to the database. An answer that leaves a declared
/// criterion out is still valid (`missing(from:)` names what is left out): the coordinator records
/// an `error` finding for each, and `plugins check` fails the module for it.
public struct AnswerValidator: Sendable {
    /// The module's declared criteria, in declaration order.
    public let declared: [String]
    /// The limits applied.
    public let limits: AnswerLimits
    private let declaredSet: Set<String>

    /// The comparators a finding may carry.
    public static let comparators: Set<String> = [">=", ">", "<=", "<", "=="]

    /// A validator for answers of the module `descriptor` describes.
    public init(descriptor: ModuleDescriptor, limits: AnswerLimits = .standard) {
        self.declared = descriptor.criteria.map(\.id)
        self.declaredSet = Set(declared)
        self.limits = limits
    }

    /// Up to this many declared criteria, membership and repetition are linear searches: no set
    /// per reply and no hash per finding (issue 16); above it, sets.
    static let linearLimit = 32

    /// Throws the first rule `findings` break.
    public func validate(_ findings: [Finding]) throws(AnswerViolation) {
        let linear = declared.count <= Self.linearLimit
        var seen = linear ? Set<String>() : Set<String>(minimumCapacity: findings.count)
        for (index, finding) in findings.enumerated() {
            let id = finding.criterion
            if linear {
                // A duplicate is found among the findings before, each of them declared and
                // distinct, so never more than `linearLimit` of them.
                guard declared.contains(id) else { throw .undeclaredCriterion(String(id.prefix(80))) }
                guard !findings[..<index].contains(where: { $0.criterion == id }) else { throw .duplicateCriterion(id) }
            } else {
                guard declaredSet.contains(id) else { throw .undeclaredCriterion(String(id.prefix(80))) }
                guard seen.insert(id).inserted else { throw .duplicateCriterion(id) }
            }
            guard (0...100).contains(finding.score) else { throw .scoreOutOfRange(criterion: id, score: finding.score) }
            guard finding.verdict != .error else { throw .forbiddenVerdict(criterion: id, verdict: finding.verdict) }
            if let comparator = finding.comparator, !Self.isComparator(comparator) {
                throw .unknownComparator(criterion: id, comparator: String(comparator.prefix(16)))
            }
            for language in Language.allCases {
                let text = finding.message.text(in: language)
                guard !text.isEmpty else { throw .emptyMessage(criterion: id, language: language) }
                let field = language == .zh ? "message.zh" : "message.en"
                try Self.checkText(text, criterion: id, field: field, limit: limits.messageBytes)
            }
            try Self.checkText(finding.citation, criterion: id, field: "citation", limit: limits.citationBytes)
            // A quick pass with an upper bound for every number; only a finding that does not fit
            // it is measured exactly (printing its numbers) before it is refused.
            do {
                try spend(finding, precise: false)
            } catch .tooLarge {
                try spend(finding, precise: true)
            }
        }
    }

    private func spend(_ finding: Finding, precise: Bool) throws(AnswerViolation) {
        var budget = ValueBudget(criterion: finding.criterion, bytes: limits.valueBytes, depth: limits.depth, precise: precise)
        // One member after the other, in this order, without an array of them per finding.
        if let value = finding.observed { try budget.spend(value, field: "observed", level: 0) }
        if let value = finding.threshold { try budget.spend(value, field: "threshold", level: 0) }
        if let value = finding.margin { try budget.spend(value, field: "margin", level: 0) }
        try budget.spend(.object(finding.parameters), field: "parameters", level: 0)
    }

    /// True for one of `comparators`, without hashing.
    static func isComparator(_ text: String) -> Bool {
        switch text {
        case ">=", ">", "<=", "<", "==": true
        default: false
        }
    }

    /// The declared criteria `findings` leave out, in declaration order.
    public func missing(from findings: [Finding]) -> [String] {
        let answered = Set(findings.map(\.criterion))
        return declared.filter { !answered.contains($0) }
    }

    static func checkText(_ text: String, criterion: String, field: String, limit: Int) throws(AnswerViolation) {
        let bytes = text.utf8.count
        guard bytes <= limit else { throw .tooLarge(criterion: criterion, field: field, bytes: bytes, limit: limit) }
        guard !text.utf8.contains(0) else { throw .forbiddenCharacter(criterion: criterion, field: field) }
    }

    /// Walks values, counting their compact JSON size against one budget and checking depth and NUL.
    struct ValueBudget {
        let criterion: String
        let limit: Int
        let depth: Int
        /// Numbers counted as printed (slow), or by an upper bound (fast).
        let precise: Bool
        var used = 0

        init(criterion: String, bytes: Int, depth: Int, precise: Bool) {
            self.criterion = criterion
            self.limit = bytes
            self.depth = depth
            self.precise = precise
        }

        mutating func spend(_ value: JSONValue, field: String, level: Int) throws(AnswerViolation) {
            switch value {
            case .null: used += 4
            case .bool(let flag): used += flag ? 4 : 5
            case .number(let number): used += precise ? number.description.utf8.count : Self.printedLength(number)
            case .string(let text): try string(text, field: field)
            case .array(let items):
                guard level < depth else { throw .tooDeep(criterion: criterion, field: field, limit: depth) }
                used += 2 + max(0, items.count - 1)
                try check(field)
                for item in items { try spend(item, field: field, level: level + 1) }
            case .object(let members):
                guard level < depth else { throw .tooDeep(criterion: criterion, field: field, limit: depth) }
                used += 2 + max(0, members.count - 1) + members.count
                try check(field)
                for (key, member) in members {
                    try string(key, field: field)
                    try spend(member, field: field, level: level + 1)
                }
            }
            try check(field)
        }

        /// An upper bound of the characters `number` prints as, without printing it (a reply
        /// carries hundreds of numbers): 38 significant digits at most, the zeros its exponent
        /// adds, and sign, point and a leading zero.
        static func printedLength(_ number: Decimal) -> Int {
            38 + Swift.abs(number.exponent) + 3
        }

        mutating func string(_ text: String, field: String) throws(AnswerViolation) {
            var bytes = 2
            for byte in text.utf8 {
                if byte == 0 { throw .forbiddenCharacter(criterion: criterion, field: field) }
                bytes += byte < 0x20 ? 6 : (byte == 0x22 || byte == 0x5C ? 2 : 1)
            }
            used += bytes
            try check(field)
        }

        func check(_ field: String) throws(AnswerViolation) {
            if used > limit { throw .tooLarge(criterion: criterion, field: field, bytes: used, limit: limit) }
        }
    }
}

/// Why a module's `ready` declaration was refused.
public struct DeclarationViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the member.
    public var reason: String

    /// A violation.
    public init(_ reason: String) { self.reason = reason }

    /// One line for a person.
    public var description: String { reason }
}

extension ModuleDescriptor {
    /// Checks what a module declares in its `ready` line, so that everything recorded from it can
    /// be written and read back: an id and a version; at least one filing kind and one criterion;
    /// criterion ids of the form `ABCD-12` (two to eight capital letters, a hyphen, one to three
    /// digits), each once; titles in both languages; parameters with a name (`a_z0_9`), one of the
    /// comparators `>=`, `>`, `<=`, `<`, `mode`, and a unit, each name once per criterion; no NUL
    /// anywhere and every text within a sensible size.
    public func validate() throws(DeclarationViolation) {
        func text(_ value: String, _ what: String, limit: Int = 512, required: Bool = true) throws(DeclarationViolation) {
            if required && value.trimmingCharacters(in: .whitespaces).isEmpty { throw DeclarationViolation("\(what) is empty") }
            if value.utf8.count > limit { throw DeclarationViolation("\(what) is longer than \(limit) bytes") }
            if value.utf8.contains(0) { throw DeclarationViolation("\(what) holds NUL (U+0000)") }
        }
        try text(id, "module.id", limit: 64)
        guard id.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) else {
            throw DeclarationViolation("module.id \(id.debugDescription) must be lower-case letters, digits, - and _")
        }
        try text(version, "module.version", limit: 64)
        if let title {
            try text(title.zh, "module.title.zh")
            try text(title.en, "module.title.en")
        }
        guard !appliesTo.isEmpty else { throw DeclarationViolation("applies_to names no filing kind") }
        guard !criteria.isEmpty else { throw DeclarationViolation("no criterion is declared") }
        for member in reads { try text(member, "reads", limit: 64) }
        var ids = Set<String>()
        for criterion in criteria {
            guard Self.isCriterionId(criterion.id) else {
                throw DeclarationViolation(
                    "criterion id \(String(criterion.id.prefix(40)).debugDescription) is not of the form ABC-1 (2–8 capital letters, -, 1–3 digits)")
            }
            guard ids.insert(criterion.id).inserted else { throw DeclarationViolation("criterion \(criterion.id) is declared twice") }
            try text(criterion.title.zh, "\(criterion.id).title.zh")
            try text(criterion.title.en, "\(criterion.id).title.en")
            try text(criterion.citation, "\(criterion.id).citation", required: false)
            var names = Set<String>()
            for parameter in criterion.parameters ?? [] {
                guard Self.isParameterName(parameter.name) else {
                    throw DeclarationViolation("\(criterion.id): parameter name \(String(parameter.name.prefix(40)).debugDescription) must be a_z0_9")
                }
                guard names.insert(parameter.name).inserted else {
                    throw DeclarationViolation("\(criterion.id): parameter \(parameter.name) is declared twice")
                }
                guard CriterionParameter.comparators.contains(parameter.comparator) else {
                    throw DeclarationViolation("\(criterion.id): parameter \(parameter.name) has comparator \(parameter.comparator.debugDescription), not one of >=, >, <=, <, mode")
                }
                try text(parameter.unit, "\(criterion.id): parameter \(parameter.name).unit", limit: 64)
            }
        }
    }

    /// `ABC-1`: 2–8 capital ASCII letters, a hyphen, 1–3 digits (the database's check on findings).
    public static func isCriterionId(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let letters = parts[0].utf8, digits = parts[1].utf8
        return (2...8).contains(letters.count) && letters.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
            && (1...3).contains(digits.count) && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `min_output_wan`: a lower-case letter, then lower-case letters, digits and `_`, at most 64.
    public static func isParameterName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (1...64).contains(bytes.count), first >= 0x61 && first <= 0x7A else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
