import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks
import TestSupport
import Testing
import ClusterStandard
import JSONCore

/// One row of a criteria case table (Tests/IndicatorsTests/Cases/<module>.json).
struct CriteriaCase: Sendable, CustomTestStringConvertible {
    var file: String
    var module: String
    var name: String
    /// The template kind the case starts from.
    var kind: FilingKind
    /// Members set (dot paths) on the template, or removed where the value is null.
    var changes: [(String, JSONValue?)]
    var context: JSONValue
    var rulebook: String?
    var asOf: CivilDate?
    /// Parameters overridden after resolution; null removes one.
    var parameters: [String: JSONValue]
    var skipValidation: Bool
    /// The validation issues the case's filing must raise, as (rule, path); empty: it must be valid.
    var expectIssues: [(rule: String, path: String)]
    var expect: [String: Verdict]
    var expectScore: [String: Int]

    var testDescription: String { "\(module): \(name)" }

    var filing: JSONValue {
        changes.reduce(FilingTemplate.example(kind)) { $0.setting($1.0, to: $1.1) }
    }

    static func all() throws -> [CriteriaCase] {
        let directory = Bundle.module.resourceURL!.appendingPathComponent("Cases")
        var cases: [CriteriaCase] = []
        for url in try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).sorted(by: { $0.path < $1.path })
        where url.pathExtension == "json" {
            let table = try JSONValue(parsing: Data(contentsOf: url), limits: .document)
            guard case .array(let rows)? = table["cases"], let module = table["module"]?.string else { continue }
            for row in rows {
                var set: [(String, JSONValue?)] = []
                if case .array(let pairs)? = row["set"] {
                    for pair in pairs {
                        guard case .array(let p) = pair, p.count == 2, let path = p[0].string else { continue }
                        set.append((path, p[1] == .null ? Optional<JSONValue>.none : Optional(p[1])))
                    }
                }
                var expect: [String: Verdict] = [:]
                if case .object(let e)? = row["expect"] {
                    for (id, v) in e { expect[id] = Verdict(rawValue: v.string ?? "") }
                }
                var scores: [String: Int] = [:]
                if case .object(let e)? = row["expect_score"] {
                    for (id, v) in e { scores[id] = NSDecimalNumber(decimal: v.decimal ?? -1).intValue }
                }
                var parameters: [String: JSONValue] = [:]
                if case .object(let p)? = row["parameters"] { parameters = p }
                var issues: [(rule: String, path: String)] = []
                if case .array(let list)? = row["expect_issues"] {
                    for issue in list { issues.append((rule: issue["rule"]?.string ?? "?", path: issue["path"]?.string ?? "?")) }
                }
                cases.append(CriteriaCase(
                    file: url.lastPathComponent, module: module, name: row["name"]?.string ?? "?",
                    kind: row["kind"]?.string.flatMap(FilingKind.init(rawValue:)) ?? .initial, changes: set,
                    context: row["context"] ?? .object([:]), rulebook: row["rulebook"]?.string,
                    asOf: row["as_of"]?.string.flatMap(CivilDate.init), parameters: parameters,
                    skipValidation: row["skip_validation"] == .bool(true), expectIssues: issues, expect: expect, expectScore: scores))
            }
        }
        return cases
    }
}

/// The project's config/ directory, found from this file's path.
let configDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("config")

let library: RulebookLibrary = try! RulebookLibrary.load(contentsOf: configDirectory.appendingPathComponent("parameters.json"))

@Suite struct CriteriaCaseTests {
    @Test func everyModuleHasACaseTable() async throws {
        let modules = Set(try CriteriaCase.all().map(\.module))
        #expect(modules == Set(try await BuiltInModules.declarations().modules.map(\.id)))
    }

    @Test func everyCriterionIsCoveredByACase() async throws {
        let covered = Set(try CriteriaCase.all().flatMap(\.expect.keys))
        let all = Set(try await BuiltInModules.declarations().modules.flatMap { $0.criteria.map(\.id) })
        #expect(all.subtracting(covered).isEmpty, "uncovered: \(all.subtracting(covered).sorted())")
    }

    /// The findings of a case, judged by the module's worker process as the coordinator would.
    static func findings(_ c: CriteriaCase) async throws -> ModuleReport {
        let filing = c.filing
        let date = c.asOf ?? filing["filing_date"]!.string.flatMap(CivilDate.init)!
        var parameters = try library.resolve(c.rulebook, asOf: date).values
        for (name, value) in c.parameters { parameters[name] = value == .null ? nil : value }
        return try await BuiltInModules.evaluate(module: c.module, filing: filing, context: c.context, parameters: parameters, asOf: date)
    }

    @Test(arguments: try CriteriaCase.all())
    func criterionVerdictMatchesTheTable(_ c: CriteriaCase) async throws {
        let filing = c.filing
        if !c.skipValidation {
            let issues = FilingValidator.validate(filing.bytes)
            #expect(issues.map(\.rule) == c.expectIssues.map(\.rule), "the case's validation issues: \(issues)")
            #expect(issues.map(\.path) == c.expectIssues.map(\.path), "the case's validation issues: \(issues)")
        }
        let outcome = try await Self.findings(c)
        #expect(outcome.error == nil, "module error: \(outcome.error ?? "")")
        let declared = try await BuiltInModules.declarations().module(c.module)?.criteria.map(\.id)
        #expect(outcome.findings.map(\.criterion) == declared)
        for (id, verdict) in c.expect {
            let finding = outcome.findings.first { $0.criterion == id }
            #expect(finding?.verdict == verdict, "\(id): \(finding?.message.en ?? "no finding")")
        }
        for (id, score) in c.expectScore {
            #expect(outcome.findings.first { $0.criterion == id }?.score == score, "\(id) score")
        }
        for finding in outcome.findings {
            #expect((0...100).contains(finding.score))
            #expect(!finding.message.zh.isEmpty && !finding.message.en.isEmpty && !finding.citation.isEmpty)
        }
    }

    /// Every finding that compares with a rulebook parameter compares the way the rulebook says
    /// that parameter compares: `>=` is 以上/不少于, `>` is 高于, and a rule may not quietly use
    /// another. (A finding that records a parameter but shows no comparison — growth from zero to
    /// zero, no base to grow from — has no comparator to check.)
    @Test func everyFindingsComparatorIsItsRulebookParametersComparator() async throws {
        var comparators: [String: Set<String>] = [:]
        for book in library.rulebooks {
            for parameter in book.parameters where parameter.comparator != "mode" {
                comparators[parameter.name, default: []].insert(parameter.comparator)
            }
        }
        #expect(comparators.values.allSatisfy { $0.count == 1 }, "a parameter compares one way in every rulebook: \(comparators)")
        var checked = 0
        for c in try CriteriaCase.all() {
            for finding in try await Self.findings(c).findings where finding.comparator != nil {
                for name in finding.parameters.keys {
                    guard let expected = comparators[name]?.first else { continue }
                    #expect(finding.comparator == expected, "\(c.module): \(c.name): \(finding.criterion) uses \(name) (\(expected)) but compares \(finding.comparator ?? "nothing")")
                    checked += 1
                }
            }
        }
        #expect(checked > 100, "the test looked at \(checked) uses of a parameter")
    }
}
