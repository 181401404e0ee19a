import Foundation
import IndicatorKit
import JSONCore

/// One request for a pool, as pre-encoded JSON: the pool assembles the line by concatenation.
///
/// Each `Data` is one compact JSON object with no raw newline (what `JSONEncoder` and
/// PostgreSQL's jsonb text produce). `filing` should already be projected to the module's
/// `reads` (see `FilingProjection`). The pool does not parse them.
public struct EvaluationInput: Sendable, Hashable {
    /// The filing's members the module reads, as a JSON object.
    public var filing: Data
    /// The context the coordinator gathered, as a JSON object.
    public var context: Data
    /// The parameters in force on `asOf`, as a JSON object.
    public var parameters: Data
    /// The date the rules are applied for.
    public var asOf: CivilDate

    /// An input from pre-encoded JSON objects.
    public init(filing: Data, context: Data = Data("{}".utf8), parameters: Data = Data("{}".utf8), asOf: CivilDate) {
        self.filing = filing
        self.context = context
        self.parameters = parameters
        self.asOf = asOf
    }

    /// An input from values, each written once (compact); a convenience for tests and tools.
    public init(filing: JSONValue, context: JSONValue = [:], parameters: [String: JSONValue] = [:], asOf: CivilDate) throws {
        self.init(
            filing: Data(filing.compactBytes), context: Data(context.compactBytes),
            parameters: Data(JSONValue.object(parameters).compactBytes), asOf: asOf)
    }
}

/// What a pool returns for one request: findings, or a failure that says why.
public enum ModuleOutcome: Sendable, Hashable {
    /// The module's findings, each for a declared criterion with a score in 0...100.
    case findings([Finding])
    /// No findings; the failure names the module, the cause and the attempts.
    case failed(ModuleFailure)

    /// The findings, or nil.
    public var findings: [Finding]? {
        if case .findings(let findings) = self { return findings }
        return nil
    }

    /// The failure, or nil.
    public var failure: ModuleFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}
