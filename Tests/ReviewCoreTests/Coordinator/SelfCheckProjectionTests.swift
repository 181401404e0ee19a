import Foundation
import Testing
import IndicatorKit
import JSONCore
import ModuleHost
@testable import ReviewCore

/// The self-check writes each top-level member of a filing once for all the modules that read it;
/// every module must still receive exactly its projection.
@Suite struct SelfCheckProjectionTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("config/samples")

    static let reads: [[String]] = [
        ["figures", "green"], ["filing_date", "enterprises", "tiering"], ["cluster", "figures", "competitiveness"],
        ["supply_chain"], ["kind", "filing_date", "applicant", "cluster", "enterprises", "incidents"], ["kind", "plan_report"],
        [], ["figures", "figures", "no_such_section"], ["名", "a\"b"],
    ]

    static var descriptors: [ModuleDescriptor] {
        reads.enumerated().map { ModuleDescriptor(id: "m\($0.offset)", version: "1", appliesTo: FilingKind.allCases, criteria: [], reads: $0.element) }
    }

    @Test func everyModuleGetsTheMembersItReadsOnSamplesAndOddNames() throws {
        var filings: [JSONValue] = try FileManager.default.contentsOfDirectory(atPath: Self.samples.path)
            .filter { $0.hasSuffix(".json") && $0 != "expected.json" }.sorted()
            .map { try JSONValue(parsing: Data(contentsOf: Self.samples.appendingPathComponent($0)), limits: .document) }
        #expect(filings.count >= 30)
        filings.append(["名": ["x": 1], "a\"b": "quoted", "figures": [], "kind": "initial"])
        filings.append([:])
        for filing in filings {
            let projections = OfflineSelfCheck.projections(filing, for: Self.descriptors)
            #expect(projections.count == Self.reads.count)
            for descriptor in Self.descriptors {
                let bytes = try #require(projections[descriptor.id])
                let expected = FilingProjection.project(filing, reads: descriptor.reads)
                #expect(try JSONValue(parsing: bytes, limits: .document) == expected, "module reading \(descriptor.reads)")
            }
        }
    }
}
