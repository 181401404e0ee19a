import Foundation
import IndicatorKit
import Rulebooks
import Testing
import ClusterStandard

/// A rulebook checked against what the modules declare: the one source of which parameters exist.
@Suite struct RulebookCheckTests {
    static func book(_ parameter: String) -> String {
        """
        {"format_version": 1, "default": "a", "rulebooks": [{"name": "a", "title": {"zh": "甲", "en": "A"}, "parameters": [\(parameter)]}]}
        """
    }

    static let talent = #"""
        {"name": "min_talent_share", "comparator": ">=", "unit": "share (0–1)", "criteria": ["TALE-1"], "values": [
          {"value": 0.1, "effective_from": "2024-01-01", "citation": {"document": "D", "article": "1"}}]}
        """#

    static func module(_ parameters: [CriterionParameter]?, id: String = "talent", criterion: String = "TALE-1") -> ModuleDescriptor {
        ModuleDescriptor(
            id: id, version: "1.0.0", appliesTo: [.initial],
            criteria: [Criterion(id: criterion, title: LocalizedText(zh: "人才", en: "Talent"), kind: .threshold, citation: "c",
                                 parameters: parameters)],
            reads: ["figures"])
    }

    static let declared = CriterionParameter(name: "min_talent_share", comparator: ">=", unit: "share (0–1)")

    func check(_ text: String, _ modules: [ModuleDescriptor], unanswered: [String] = []) throws -> RulebookCheck {
        try RulebookLibrary.parse(Data(text.utf8)).check(against: Declarations(modules), unanswered: unanswered)
    }

    @Test func aParameterAnEnabledModuleDeclaresIsAccepted() throws {
        let result = try check(Self.book(Self.talent), [Self.module([Self.declared])])
        #expect(result.isAccepted)
        #expect(result.notes.isEmpty)
    }

    @Test func aParameterNoModuleDeclaresIsRefusedNamingTheModulesAsked() throws {
        let result = try check(Self.book(Self.talent), [Self.module([], id: "green", criterion: "GREE-1")])
        #expect(result.issues.map(\.rule) == ["unknown_parameter"])
        #expect(result.issues.first?.message.en.contains("min_talent_share") == true)
        #expect(result.issues.first?.message.en.contains("modules asked: green") == true)
    }

    @Test func aComparatorOtherThanTheDeclaredOneIsRefused() throws {
        let other = CriterionParameter(name: "min_talent_share", comparator: ">", unit: "share (0–1)")
        #expect(try check(Self.book(Self.talent), [Self.module([other])]).issues.map(\.rule) == ["comparator_mismatch"])
    }

    @Test func aUnitOtherThanTheDeclaredOneIsRefused() throws {
        let other = CriterionParameter(name: "min_talent_share", comparator: ">=", unit: "percent")
        #expect(try check(Self.book(Self.talent), [Self.module([other])]).issues.map(\.rule) == ["unit_mismatch"])
    }

    @Test func aCriterionThatDoesNotDeclareTheParameterIsRefused() throws {
        let text = Self.book(Self.talent.replacingOccurrences(of: #"["TALE-1"]"#, with: #"["TALE-1", "TALE-2"]"#))
        var module = Self.module([Self.declared])
        module.criteria.append(Criterion(id: "TALE-2", title: LocalizedText(zh: "乙", en: "B"), kind: .evidence, citation: "c", parameters: []))
        #expect(try check(text, [module]).issues.map(\.rule) == ["criteria_mismatch"])
    }

    @Test func aDeclaringCriterionTheFileLeavesOutIsRefused() throws {
        var module = Self.module([Self.declared])
        module.criteria.append(Criterion(
            id: "TALE-2", title: LocalizedText(zh: "乙", en: "B"), kind: .threshold, citation: "c", parameters: [Self.declared]))
        #expect(try check(Self.book(Self.talent), [module]).issues.map(\.rule) == ["criteria_mismatch"])
    }

    @Test func aModuleThatDidNotStartIsNotedNotRefused() throws {
        let result = try check(Self.book(Self.talent), [], unanswered: ["talent"])
        #expect(result.isAccepted)
        #expect(result.notes.first?.en.contains("could not be asked") == true)
    }

    @Test func anOlderModuleWithoutParametersAcceptsTheFilesWithANote() throws {
        let result = try check(Self.book(Self.talent), [Self.module(nil)])
        #expect(result.isAccepted)
        #expect(result.notes.count == 1)
    }

    @Test func aProcedureParameterIsNotTheModulesBusiness() throws {
        let procedure = #"""
            {"name": "publicity_working_days", "comparator": ">=", "unit": "working days", "criteria": [], "values": [
              {"value": 5, "effective_from": "2024-01-01", "citation": {"document": "D", "article": "1"}}]}
            """#
        #expect(try check(Self.book(procedure), []).isAccepted)
    }

    @Test func parsingChecksOnlyTheFormOfACriterionId() throws {
        #expect(throws: Never.self) { try RulebookLibrary.parse(Data(Self.book(Self.talent).utf8)) }
        let bad = Self.book(Self.talent.replacingOccurrences(of: "TALE-1", with: "tale one"))
        #expect(throws: RulebookError.self) { try RulebookLibrary.parse(Data(bad.utf8)) }
    }
}
