import Foundation
import IndicatorKit
import Indicators
import Rulebooks
import TestSupport
import Testing

/// One sample filing of config/samples/ and the recommendation config/samples/expected.json states for it.
struct SampleFiling: Sendable, CustomTestStringConvertible {
    var file: String
    var recommendation: String
    var context: JSONValue
    var testDescription: String { file }

    static let directory = configDirectory.appendingPathComponent("samples")

    static func all() throws -> [SampleFiling] {
        let expected = try StrictJSON.parse(Data(contentsOf: directory.appendingPathComponent("expected.json")))
        guard case .object(let samples)? = expected["samples"] else { return [] }
        return samples.keys.sorted().map { file in
            SampleFiling(file: file, recommendation: samples[file]?["recommendation"]?.string ?? "?",
                         context: samples[file]?["context"] ?? .object([:]))
        }
    }
}

@Suite struct SampleFilingTests {
    @Test func everyHainanCountyHasASample() throws {
        let counties = Set(try SampleFiling.all().map { String($0.file.prefix(6)) })
        #expect(counties == Set(HainanCounty.all.map(\.code)))
    }

    @Test func everySampleFileIsListedInExpected() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: SampleFiling.directory.path).filter { $0.hasSuffix(".json") && $0 != "expected.json" }
        #expect(Set(files) == Set(try SampleFiling.all().map(\.file)))
    }

    @Test func samplesSpreadOverEveryRecommendation() throws {
        let seen = Set(try SampleFiling.all().map(\.recommendation))
        #expect(seen == Set(ReviewSummary.Recommendation.allCases.map(\.rawValue)))
    }

    @Test(arguments: try SampleFiling.all())
    func sampleRecommendationMatchesExpected(_ sample: SampleFiling) throws {
        let data = try Data(contentsOf: SampleFiling.directory.appendingPathComponent(sample.file))
        #expect(FilingValidator.validate(data) == [])
        let filing = try StrictJSON.parse(data)
        let date = try #require(filing["filing_date"]?.string.flatMap(CivilDate.init))
        let parameters = try library.resolve(nil, asOf: date).values
        let context = try JSONDecoder().decode(ReviewContext.self, from: sample.context.bytes)
        let outcomes = IndicatorModules.evaluateAll(filing: filing, context: context, parameters: parameters, asOf: date)
        #expect(outcomes.allSatisfy { $0.error == nil }, "\(outcomes.compactMap(\.error))")
        let summary = Aggregation.aggregate(outcomes)
        #expect(summary.recommendation.rawValue == sample.recommendation,
                "failures: \(summary.failures.map { $0.finding.message.en })")
    }
}
