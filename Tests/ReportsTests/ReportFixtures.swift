import Foundation
import IndicatorKit
import Rulebooks
import TestSupport
import ClusterStandard
import Reports
import JSONCore

/// Reports built from the real sample filings of config/samples, judged by the project's module
/// processes (`BuiltInModules`), so the report tests read real findings and real declarations.
enum ReportFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let samples = root.appendingPathComponent("config/samples")
    static let library: RulebookLibrary = try! RulebookLibrary.load(contentsOf: root.appendingPathComponent("config/parameters.json"))

    /// Every sample file name, sorted.
    static func sampleFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samples.path)
            .filter { $0.hasSuffix(".json") && $0 != "expected.json" }.sorted()
    }

    /// The review context expected.json gives for `file` (the plan on record for a recertification).
    static func context(for file: String) throws -> ReviewContext {
        let expected = try JSONValue(parsing: Data(contentsOf: samples.appendingPathComponent("expected.json")), limits: .document)
        let context = expected["samples"]?[file]?["context"] ?? .object([:])
        return try JSONDecoder().decode(ReviewContext.self, from: Data(context.canonicalText().utf8))
    }

    /// The report of sample `file`, optionally after `edit` changes its JSON (for hostile text).
    static func report(
        _ file: String, id: String? = nil, rulebook: String? = nil, edit: (inout [String: JSONValue]) -> Void = { _ in }
    ) async throws -> ReviewReport {
        let data = try Data(contentsOf: samples.appendingPathComponent(file))
        guard case .object(var members) = try JSONValue(parsing: data, limits: .document) else { throw FixtureError.notAnObject(file) }
        edit(&members)
        let json = JSONValue.object(members)
        let date = json["filing_date"]?.string.flatMap(CivilDate.init) ?? CivilDate("2026-03-15")!
        let parameters = try library.resolve(rulebook, asOf: date)
        let contextValue = try JSONValue(parsing: try JSONEncoder().encode(try context(for: file)))
        let review = try await BuiltInModules.review(filing: json, context: contextValue, parameters: parameters)
        let filing = try Filing.decode(Data(json.canonicalText().utf8))
        return ReviewReport.offline(
            id: id ?? String(file.dropLast(5)), filing: filing, reports: review.moduleReports, parameters: parameters,
            declarations: try await BuiltInModules.declarations())
    }

    enum FixtureError: Error { case notAnObject(String) }
}

/// Sets `value` at `path` inside a JSON object tree (creating nothing: a missing step is left as is).
func setJSON(_ value: JSONValue, at path: [String], in members: inout [String: JSONValue]) {
    guard let first = path.first else { return }
    if path.count == 1 { members[first] = value; return }
    switch members[first] {
    case .object(var inner)?:
        setJSON(value, at: Array(path.dropFirst()), in: &inner)
        members[first] = .object(inner)
    case .array(var items)? where Int(path[1]) != nil:
        let index = Int(path[1])!
        guard items.indices.contains(index) else { return }
        if path.count == 2 { items[index] = value } else if case .object(var inner) = items[index] {
            setJSON(value, at: Array(path.dropFirst(2)), in: &inner)
            items[index] = .object(inner)
        }
        members[first] = .array(items)
    default:
        return
    }
}
