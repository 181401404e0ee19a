import Foundation
import IndicatorKit
import JSONCore
extension FilingTemplate {
    /// The example filing of `kind` as `cluster-review template KIND` prints it: indented, with
    /// every member in the order `docs/filing-format.md` documents (`format_version`, `kind` and
    /// `filing_date` first), ready to copy and edit.
    /// With `supersedes`, the example is a corrected filing naming that returned filing.
    public static func text(_ kind: FilingKind, supersedes: Int64? = nil) -> String {
        var filing = example(kind)
        if let supersedes, case .object(var members) = filing {
            members["supersedes"] = .number(Decimal(supersedes))
            filing = .object(members)
        }
        return filing.prettyText(order: FilingSchema.memberOrder(FilingSchema.root))
    }
}

extension FilingSchema {
    /// The documented member order of `shape`, from its declaration.
    static func memberOrder(_ shape: Shape) -> MemberOrder {
        switch shape {
        case .object(let fields): .members(fields.map { (name: $0.name, order: memberOrder($0.shape)) })
        case .keyed(let keys, let value): .members(keys.map { (name: $0, order: memberOrder(value)) })
        case .array(let element, _, _): .elements(memberOrder(element))
        case .nullable(let inner): memberOrder(inner)
        default: .sorted
        }
    }
}
