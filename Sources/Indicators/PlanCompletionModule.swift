import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Plan completion at the recheck (criteria.md §9, Art. 12): PLAN-1, recertification filings only.
public struct PlanCompletionModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the kind and the achieved values; the plan itself comes from the context.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "plan-completion", version: "1.2.0", title: LocalizedText(zh: "复核：发展规划目标完成情况", en: "Recertification: plan completion"),
        appliesTo: [.recertification], criteria: [plan1.criterion], reads: ["kind", "plan_report"])

    static let minCompletion = RuleParameter.bound("min_goal_completion_share", .atLeast, unit: "share (0–1)")

    static let plan1 = Rule("PLAN-1", .threshold, "复核考核集群三年发展规划目标完成情况", "The three-year plan's goals are met at the recheck",
                            citation: "Art. 12", parameters: [minCompletion])

    /// One finding for PLAN-1.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        [plan1(request.filing.kind, request.filing.planReport, request.context.planOnRecord, request.parameters)]
    }

    /// PLAN-1: every goal reported; all met `pass`; met >= min_goal_completion_share × goals `manual`; below `fail`.
    /// The measures do not quantify the share: the default 0.8 is a choice, and the finding says so.
    func plan1(_ kind: FilingKind?, _ report: PlanReport?, _ plan: DevelopmentPlan?, _ p: [String: JSONValue]) -> Finding {
        let rule = Self.plan1
        guard kind == .recertification else {
            return rule.finding(.notApplicable, "不是复核申报，不适用", "not a recertification: not applicable")
        }
        guard let plan, !plan.goals.isEmpty else {
            return rule.finding(.fail, score: 0, "没有备案的发展规划目标", "no plan on record")
        }
        let achieved = Dictionary((report?.achievements ?? []).map { ($0.goalId, $0.achieved) }, uniquingKeysWith: { first, _ in first })
        var unreported: [String] = [], met: [String] = [], unmet: [String] = []
        var perGoal: [String: JSONValue] = [:]
        for goal in plan.goals {
            guard let value = achieved[goal.id] else { unreported.append(goal.id); continue }
            let decrease = goal.direction == "decrease"
            let ok = goal.target.map { decrease ? value <= $0 : value >= $0 } ?? false
            if ok { met.append(goal.id) } else { unmet.append(goal.id) }
            perGoal[goal.id] = ["achieved": .number(value), "target": goal.target.map { .number($0) } ?? .null,
                                "direction": .string(decrease ? "decrease" : "increase"), "met": .bool(ok)]
        }
        var observed: [String: JSONValue] = ["goals": .object(perGoal), "met": .number(Decimal(met.count)), "total": .number(Decimal(plan.goals.count))]
        if !unreported.isEmpty {
            observed["unreported"] = .array(unreported.map { .string($0) })
            return rule.finding(.fail, score: 0, observed: .object(observed), "以下目标未报告完成值：\(unreported.joined(separator: ", "))",
                                "no achieved value reported for: \(unreported.joined(separator: ", "))")
        }
        if unmet.isEmpty {
            return rule.finding(.pass, observed: .object(observed), "全部 \(met.count) 项目标均已完成", "all \(met.count) goals are met")
        }
        let total = Decimal(plan.goals.count), count = Decimal(met.count)
        var f = rule.compare(count, with: Self.minCompletion, in: p, observed: .object(observed), rhs: { $0 * total },
                             (zh: "已完成目标数（共 \(plan.goals.count) 项，未完成：\(unmet.joined(separator: "、"))；下限为目标总数的一定比例，该比例为本系统的选择，办法未量化）",
                              en: "the number of goals met (of \(plan.goals.count); unmet: \(unmet.joined(separator: ", ")); the bound is a share of the goals, a share this system chose, the measures do not quantify it)"))
        if f.verdict == .pass {
            f.verdict = .manual
            f.score = min(f.score, Score.of(.manual))
        }
        return f
    }
}
