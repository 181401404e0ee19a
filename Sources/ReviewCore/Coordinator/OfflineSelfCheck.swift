import Foundation
import ClusterStandard
import IndicatorKit
import JSONCore
import ModuleHost
import Reports
import Rulebooks

/// A county's self-check before it files, without a database: the filing validated
/// (`FilingValidator`), then judged by every module that applies — the worker processes of
/// `modules`, the same the server uses (`ReviewExecution.evaluateOffline`) — and made into the
/// county's report (`ReviewReport.offline`). `cluster-review evaluate` and the web door's filing
/// page both run it; there is no other.
public enum OfflineSelfCheck {
    /// What the self-check found.
    public enum Outcome: Sendable {
        /// The filing breaks the format: every issue, with its JSON path.
        case invalid([ValidationIssue])
        /// Judged: the report, the completed review, the rulebook applied and the date.
        case evaluated(Evaluated)
    }

    /// A judged filing. A class: the caller passes it along through a task group and a window
    /// of results, and each copy of a struct this size retained every string and array inside.
    public final class Evaluated: Sendable {
        public let filing: Filing
        public let report: ReviewReport
        public let completed: CompletedReview
        public let parameters: ResolvedParameters
        public let asOf: CivilDate

        init(filing: Filing, report: ReviewReport, completed: CompletedReview, parameters: ResolvedParameters, asOf: CivilDate) {
            self.filing = filing
            self.report = report
            self.completed = completed
            self.parameters = parameters
            self.asOf = asOf
        }
    }

    /// Validates `data` and, when valid, judges it with `modules` under `rulebook` (default: the
    /// library's default) as of `asOf` (default: the filing date), with the records of `context`
    /// (a JSON object). `id` names the report (a file's name). `declarations` are
    /// `modules.declarations`, which a caller checking many filings makes once. Throws
    /// `RulebookError` when no rulebook covers the date.
    public static func run(
        _ data: Data, id: String, rulebook: String? = nil, asOf: CivilDate? = nil, context: Data = Data("{}".utf8),
        rulebooks: RulebookLibrary, modules: Coordinator.ModuleSet, declarations: Declarations? = nil
    ) async throws -> Outcome {
        let filing: Filing
        let whole: JSONValue
        switch FilingValidator.decodeParsed(data) {
        case .failure(let failure): return .invalid(failure.issues)
        case .success(let decoded): (filing, whole) = decoded
        }
        guard let kind = filing.kind, let filed = filing.filingDate else {
            // The validator requires both; a filing without them is not one.
            return .invalid([ValidationIssue(
                path: "$", rule: "required", message: LocalizedText(zh: "缺少申报类型或申报日期", en: "the kind or the filing date is missing"),
                fix: LocalizedText(zh: "填写 kind 与 filing_date", en: "fill in kind and filing_date"))])
        }
        let when = asOf ?? filed
        let resolved = try rulebooks.resolve(rulebook, asOf: when)
        let projections = Self.projections(whole, for: ReviewExecution.applicable(modules, to: kind))
        let offline = ClaimedReview(
            id: 0, filingId: 0, countyCode: filing.applicant?.countyCode ?? "", token: UUID(), attempts: 1,
            purpose: kind == .annualReport ? "monitoring" : "decision", kind: kind, rulebook: resolved.rulebook, asOf: when)
        let completed = try await ReviewExecution.evaluateOffline(
            offline, projections: projections, context: context, parameters: resolved, modules: modules)
        // The county's own self-check: titles from what the modules declared just now, in their
        // ready lines; no internal id, no reviewer's command (SelfCheck).
        let report = ReviewReport.offline(
            id: id, filing: filing, reports: completed.moduleReports, parameters: resolved, declarations: declarations ?? modules.declarations,
            filingHash: ClusterStandard.SHA256.hex(data))
        return .evaluated(Evaluated(filing: filing, report: report, completed: completed, parameters: resolved, asOf: when))
    }

    /// Each module's part of the filing (`FilingProjection.project`, as compact JSON): the top-level
    /// members it reads, each member written once for every module that reads it (the figures
    /// are read by six) rather than once per module. The same members and values as the
    /// projection's `compactBytes`; the modules decode the bytes, whose member order JSON leaves open.
    static func projections(_ whole: JSONValue, for descriptors: [ModuleDescriptor]) -> [String: Data] {
        guard case .object(let members) = whole else {
            var projections: [String: Data] = [:]
            for descriptor in descriptors {
                projections[descriptor.id] = Data(FilingProjection.project(whole, reads: descriptor.reads).compactBytes)
            }
            return projections
        }
        // Each member read, as `"name":value`, in the order first read.
        var written: [(name: String, bytes: [UInt8])] = []
        var projections: [String: Data] = [:]
        for descriptor in descriptors {
            var bytes: [UInt8] = [UInt8(ascii: "{")]
            var first = true
            for (index, name) in descriptor.reads.enumerated() where !descriptor.reads[..<index].contains(name) {
                guard let value = members[name] else { continue }
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                if let done = written.first(where: { $0.name == name }) {
                    bytes.append(contentsOf: done.bytes)
                } else {
                    var member = JSONValue.string(name).compactBytes
                    member.append(UInt8(ascii: ":"))
                    member.append(contentsOf: value.compactBytes)
                    written.append((name, member))
                    bytes.append(contentsOf: member)
                }
            }
            bytes.append(UInt8(ascii: "}"))
            projections[descriptor.id] = Data(bytes)
        }
        return projections
    }
}
