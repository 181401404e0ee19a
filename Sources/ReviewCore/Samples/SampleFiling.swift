import Foundation
import IndicatorKit
import JSONCore

/// A sample filing of config/samples, with the recommendation it is expected to get
/// (config/samples/expected.json) and, for a recertification, the plan on record it renews.
public struct SampleFiling: Sendable {
    public var file: String
    public var data: Data
    public var expected: String
    /// The plan on record of the register entry a recertification sample renews.
    public var planOnRecord: JSONValue?

    /// Every sample listed in expected.json, in file-name order.
    public static func all(in installation: Installation) throws -> [SampleFiling] {
        let directory = installation.configDirectory.appendingPathComponent("samples")
        let expected = try JSONValue(parsing: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        guard case .object(let samples)? = expected["samples"] else { return [] }
        return try samples.keys.sorted().map { file in
            SampleFiling(
                file: file, data: try Data(contentsOf: directory.appendingPathComponent(file)),
                expected: samples[file]?["recommendation"]?.string ?? "",
                planOnRecord: samples[file]?["context"]?["plan_on_record"])
        }
    }
}
