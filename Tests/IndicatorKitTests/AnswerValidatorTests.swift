import Foundation
import Testing

@testable import IndicatorKit
import JSONCore

/// The one rule book for answers, used by the pool, `plugins check` and the SDK.
@Suite struct AnswerValidatorTests {
    static let descriptor = ModuleDescriptor(
        id: "sample", version: "1", appliesTo: [.initial],
        criteria: ["SAMP-1", "SAMP-2"].map { Criterion(id: $0, title: LocalizedText(zh: $0, en: $0), kind: .threshold, citation: "c") },
        reads: [])
    static let validator = AnswerValidator(descriptor: descriptor)

    static func finding(
        _ id: String = "SAMP-1", verdict: Verdict = .pass, score: Int = 70, zh: String = "中", en: String = "en",
        observed: JSONValue? = 12, comparator: String? = ">=", citation: String = "Standard 1", parameters: [String: JSONValue] = [:]
    ) -> Finding {
        Finding(criterion: id, verdict: verdict, score: score, observed: observed, comparator: comparator,
                message: LocalizedText(zh: zh, en: en), citation: citation, parameters: parameters)
    }

    func violation(_ findings: [Finding], _ validator: AnswerValidator = validator) -> AnswerViolation? {
        do {
            try validator.validate(findings)
            return nil
        } catch {
            return error
        }
    }

    @Test func aCompleteValidAnswerPasses() {
        #expect(violation([Self.finding("SAMP-1"), Self.finding("SAMP-2")]) == nil)
        #expect(Self.validator.missing(from: [Self.finding("SAMP-1"), Self.finding("SAMP-2")]) == [])
    }

    @Test func aPartialAnswerIsValidAndSaysWhatIsMissing() {
        #expect(violation([Self.finding("SAMP-2")]) == nil)
        #expect(Self.validator.missing(from: [Self.finding("SAMP-2")]) == ["SAMP-1"])
    }

    @Test func anUndeclaredCriterionIsRefused() {
        #expect(violation([Self.finding("COMP-6")]) == .undeclaredCriterion("COMP-6"))
    }

    @Test func aCriterionTwiceIsRefused() {
        #expect(violation([Self.finding("SAMP-1"), Self.finding("SAMP-1")]) == .duplicateCriterion("SAMP-1"))
    }

    @Test(arguments: [-1, 101, 1000])
    func aScoreOutOfRangeIsRefused(score: Int) {
        #expect(violation([Self.finding(score: score)]) == .scoreOutOfRange(criterion: "SAMP-1", score: score))
    }

    @Test(arguments: [0, 100])
    func theScoresAtTheEndsOfTheRangeAreValid(score: Int) {
        #expect(violation([Self.finding(score: score)]) == nil)
    }

    @Test func theVerdictErrorIsTheCoordinatorsAlone() {
        #expect(violation([Self.finding(verdict: .error)]) == .forbiddenVerdict(criterion: "SAMP-1", verdict: .error))
    }

    @Test(arguments: Verdict.allCases.filter { $0 != .error })
    func everyOtherVerdictIsAModules(verdict: Verdict) {
        #expect(violation([Self.finding(verdict: verdict)]) == nil)
    }

    @Test func anUnknownComparatorIsRefused() {
        #expect(violation([Self.finding(comparator: "≥")]) == .unknownComparator(criterion: "SAMP-1", comparator: "≥"))
    }

    @Test(arguments: [
        (AnswerValidatorTests.finding(en: "a\u{0}b"), "message.en"),
        (AnswerValidatorTests.finding(zh: "\u{0}"), "message.zh"),
        (AnswerValidatorTests.finding(citation: "c\u{0}"), "citation"),
        (AnswerValidatorTests.finding(observed: .string("x\u{0}")), "observed"),
        (AnswerValidatorTests.finding(observed: .object(["k\u{0}": 1])), "observed"),
        (AnswerValidatorTests.finding(parameters: ["p": .array([.string("\u{0}")])]), "parameters"),
    ])
    func nulAnywhereIsRefused(finding: Finding, field: String) {
        #expect(violation([finding]) == .forbiddenCharacter(criterion: "SAMP-1", field: field))
    }

    @Test func anEmptyMessageIsRefused() {
        #expect(violation([Self.finding(en: "")]) == .emptyMessage(criterion: "SAMP-1", language: .en))
    }

    @Test func aMessageAtTheLimitPassesAndOneByteMoreIsRefused() {
        let limit = AnswerLimits.standard.messageBytes
        #expect(violation([Self.finding(en: String(repeating: "a", count: limit))]) == nil)
        #expect(violation([Self.finding(en: String(repeating: "a", count: limit + 1))])
            == .tooLarge(criterion: "SAMP-1", field: "message.en", bytes: limit + 1, limit: limit))
    }

    @Test func valuesOverTheirLimitAreRefused() {
        let big = JSONValue.string(String(repeating: "v", count: AnswerLimits.standard.valueBytes))
        guard case .tooLarge(_, let field, _, _)? = violation([Self.finding(observed: big)]) else { Issue.record("not refused"); return }
        #expect(field == "observed")
    }

    @Test func valuesTogetherOverTheLimitAreRefused() {
        let half = JSONValue.string(String(repeating: "v", count: AnswerLimits.standard.valueBytes / 2))
        #expect(violation([Self.finding(observed: half, parameters: ["p": half])]) != nil)
    }

    @Test func valuesNestedDeeperThanTheLimitAreRefused() {
        var value: JSONValue = 1
        for _ in 0...AnswerLimits.standard.depth { value = .array([value]) }
        #expect(violation([Self.finding(observed: value)]) == .tooDeep(criterion: "SAMP-1", field: "observed", limit: AnswerLimits.standard.depth))
    }

    @Test func configuredLimitsApply() {
        let strict = AnswerValidator(descriptor: Self.descriptor, limits: AnswerLimits(messageBytes: 8))
        #expect(violation([Self.finding(en: "nine byte")], strict) != nil)
        #expect(violation([Self.finding(en: "eight by")], strict) == nil)
    }

    @Test func theLongestValidReplyGrowsWithTheCriteria() {
        let limits = AnswerLimits.standard
        #expect(limits.replyBytes(criteria: 8) > limits.replyBytes(criteria: 1))
        // A valid answer at the limits always fits in its bound.
        let fat = ["SAMP-1", "SAMP-2"].map { id in
            Self.finding(id, zh: String(repeating: "中", count: limits.messageBytes / 3), en: String(repeating: "\"", count: limits.messageBytes),
                         observed: .string(String(repeating: "\u{1}", count: limits.valueBytes / 6 - 8)))
        }
        #expect(violation(fat) == nil)
        let line = try? MessageLine.encode(FindingsMessage(id: "1", findings: fat))
        #expect((line?.count ?? .max) <= limits.replyBytes(criteria: 2))
    }
}

/// What a module may declare in its ready line.
@Suite struct DeclarationValidationTests {
    static func descriptor(id: String = "sample", criteria: [Criterion]) -> ModuleDescriptor {
        ModuleDescriptor(id: id, version: "1.0", appliesTo: [.initial], criteria: criteria, reads: ["figures"])
    }

    static func criterion(_ id: String, parameters: [CriterionParameter]? = nil, title: String = "标题") -> Criterion {
        Criterion(id: id, title: LocalizedText(zh: title, en: "title"), kind: .threshold, citation: "c", parameters: parameters)
    }

    func reason(_ descriptor: ModuleDescriptor) -> String? {
        do {
            try descriptor.validate()
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aValidDeclarationPasses() {
        let parameters = [CriterionParameter(name: "min_output_wan", comparator: ">=", unit: "万元")]
        #expect(reason(Self.descriptor(criteria: [Self.criterion("COMP-6", parameters: parameters)])) == nil)
    }

    @Test func aCriterionDeclaredTwiceIsRefused() {
        #expect(reason(Self.descriptor(criteria: [Self.criterion("COMP-6"), Self.criterion("COMP-6")]))?.contains("declared twice") == true)
    }

    @Test(arguments: ["comp-6", "C-6", "COMPETENC-6", "COMP-1234", "COMP6", "COMP-6-1", ""])
    func aMalformedCriterionIdIsRefused(id: String) {
        #expect(reason(Self.descriptor(criteria: [Self.criterion(id)])) != nil)
    }

    @Test(arguments: ["AB-1", "ABCDEFGH-999", "TALE-1"])
    func wellFormedCriterionIdsPass(id: String) {
        #expect(reason(Self.descriptor(criteria: [Self.criterion(id)])) == nil)
    }

    @Test func noCriterionIsRefused() {
        #expect(reason(Self.descriptor(criteria: [])) == "no criterion is declared")
    }

    @Test func anEmptyTitleIsRefused() {
        #expect(reason(Self.descriptor(criteria: [Self.criterion("COMP-6", title: " ")])) != nil)
    }

    @Test func nulInATitleIsRefused() {
        #expect(reason(Self.descriptor(criteria: [Self.criterion("COMP-6", title: "a\u{0}")]))?.contains("NUL") == true)
    }

    @Test func anUnknownParameterComparatorIsRefused() {
        let parameters = [CriterionParameter(name: "min_output_wan", comparator: "≥", unit: "万元")]
        #expect(reason(Self.descriptor(criteria: [Self.criterion("COMP-6", parameters: parameters)]))?.contains("comparator") == true)
    }

    @Test func aParameterTwiceOnOneCriterionIsRefused() {
        let parameter = CriterionParameter(name: "min_output_wan", comparator: ">=", unit: "万元")
        #expect(reason(Self.descriptor(criteria: [Self.criterion("COMP-6", parameters: [parameter, parameter])])) != nil)
    }

    @Test func aModuleIdOfAnotherShapeIsRefused() {
        #expect(reason(Self.descriptor(id: "Green Module", criteria: [Self.criterion("GREE-1")])) != nil)
    }

    @Test func parametersAndVetoTravelOnTheWireAndAreOptional() throws {
        let parameter = CriterionParameter(name: "min_output_wan", comparator: ">=", unit: "万元")
        let declared = Criterion(id: "COMP-6", title: LocalizedText(zh: "z", en: "e"), kind: .threshold, citation: "c",
                                 parameters: [parameter], veto: true)
        let decoded = try JSONDecoder().decode(Criterion.self, from: JSONEncoder().encode(declared))
        #expect(decoded == declared)
        let old = try JSONDecoder().decode(Criterion.self, from: Data(#"{"id":"COMP-6","title":{"zh":"z","en":"e"},"kind":"threshold","citation":"c"}"#.utf8))
        #expect(old.parameters == nil)
        #expect(old.veto == false)
        let text = String(decoding: try JSONEncoder().encode(old), as: UTF8.self)
        #expect(!text.contains("parameters") && !text.contains("veto"))
    }
}
