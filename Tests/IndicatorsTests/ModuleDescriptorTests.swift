import IndicatorKit
import Indicators
import Testing

@Suite struct ModuleDescriptorTests {
    @Test(arguments: IndicatorModules.descriptors)
    func readsOnlyTopLevelSectionsOfTheFormat(_ descriptor: ModuleDescriptor) {
        #expect(Set(descriptor.reads).isSubset(of: Filing.sectionNames))
        #expect(!descriptor.reads.contains("documents"))
    }

    @Test(arguments: IndicatorModules.descriptors)
    func declaresTheCatalogCriteria(_ descriptor: ModuleDescriptor) {
        #expect(descriptor.criteria == CriteriaCatalog.criteria(of: descriptor.id))
        #expect(!descriptor.criteria.isEmpty)
    }

    @Test func tenModulesWithDistinctIds() {
        #expect(IndicatorModules.descriptors.map(\.id) == IndicatorModules.ids)
        #expect(Set(IndicatorModules.ids).count == 10)
    }

    @Test func planCompletionAppliesOnlyToRecertifications() {
        #expect(IndicatorModules.descriptors.first { $0.id == "plan-completion" }?.appliesTo == [.recertification])
    }

    @Test func complianceAppliesToEveryKind() {
        #expect(IndicatorModules.descriptors.first { $0.id == "compliance" }?.appliesTo == FilingKind.allCases)
    }
}
