import IndicatorKit
import Rulebooks
import TestSupport
import Testing
import ClusterStandard

/// What the built-in modules declare in their ready lines, read from the running modules.
@Suite struct ModuleDescriptorTests {
    @Test func everyDeclarationIsValid() async throws {
        for module in try await BuiltInModules.declarations().modules {
            #expect(throws: Never.self, "\(module.id)") { try module.validate() }
            #expect(module.title != nil, "\(module.id) declares its title")
            #expect(module.criteria.allSatisfy { $0.parameters != nil }, "\(module.id) declares the parameters of every criterion")
        }
    }

    @Test func modulesReadOnlyTopLevelSectionsOfTheFormat() async throws {
        for descriptor in try await BuiltInModules.declarations().modules {
            #expect(Set(descriptor.reads).isSubset(of: Filing.sectionNames), "\(descriptor.id)")
            #expect(!descriptor.reads.contains("documents"), "\(descriptor.id)")
        }
    }

    @Test func noTwoModulesDeclareOneCriterion() async throws {
        let ids = try await BuiltInModules.declarations().modules.flatMap { $0.criteria.map(\.id) }
        #expect(Set(ids).count == ids.count)
    }

    @Test func theVetoCriteriaAreEligibilityAndTheThreeVetoes() async throws {
        #expect(try await BuiltInModules.declarations().vetoCriteria == ["ELIG-1", "VETO-1", "VETO-2", "VETO-3"])
    }

    @Test func planCompletionAppliesOnlyToRecertifications() async throws {
        #expect(try await BuiltInModules.declarations().module("plan-completion")?.appliesTo == [.recertification])
    }

    @Test func complianceAppliesToEveryKind() async throws {
        #expect(try await BuiltInModules.declarations().module("compliance")?.appliesTo == FilingKind.allCases)
    }

    @Test func theProjectsRulebooksAreWhatTheModulesDeclare() async throws {
        let check = library.check(against: try await BuiltInModules.declarations())
        #expect(check.issues.isEmpty, "\(check.issues.map(\.description))")
        #expect(check.notes.isEmpty, "\(check.notes.map(\.en))")
    }
}
