import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks
import TestSupport
import Testing
import ClusterStandard
import JSONCore

/// One sample filing of config/samples/ and the recommendation config/samples/expected.json states for it.
struct SampleFiling: Sendable, CustomTestStringConvertible {
    var file: String
    var recommendation: String
    var context: JSONValue
    var testDescription: String { file }

    static let directory = configDirectory.appendingPathComponent("samples")

    static func all() throws -> [SampleFiling] {
        let expected = try JSONValue(parsing: Data(contentsOf: directory.appendingPathComponent("expected.json")), limits: .document)
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
    func sampleRecommendationMatchesExpected(_ sample: SampleFiling) async throws {
        let data = try Data(contentsOf: SampleFiling.directory.appendingPathComponent(sample.file))
        #expect(FilingValidator.validate(data) == [])
        let filing = try JSONValue(parsing: data, limits: .document)
        let date = try #require(filing["filing_date"]?.string.flatMap(CivilDate.init))
        let parameters = try library.resolve(nil, asOf: date)
        let review = try await BuiltInModules.review(filing: filing, context: sample.context, parameters: parameters)
        #expect(review.moduleErrors.isEmpty, "\(review.moduleErrors)")
        #expect(review.recommendation.rawValue == sample.recommendation,
                "failures: \(review.summary.failures.map { $0.finding.message.en })")
    }
}
