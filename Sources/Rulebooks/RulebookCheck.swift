import IndicatorKit
import ClusterStandard

/// What checking a rulebook file against the modules' declarations found.
public struct RulebookCheck: Sendable, Hashable {
    /// Parameters the modules refuse: unknown, or declared differently. The file must be corrected.
    public var issues: [ValidationIssue]
    /// What could not be checked (a module that did not start) or was accepted on an older
    /// module's word; worth a log line, not a refusal.
    public var notes: [LocalizedText]

    /// True when nothing is refused.
    public var isAccepted: Bool { issues.isEmpty }
}

extension RulebookLibrary {
    /// Checks every parameter of every rulebook against what the enabled modules declared.
    ///
    /// A parameter with criteria is accepted when an enabled module declares it — on each criterion
    /// the file lists, with the same comparator and unit, and no declaring criterion left out of the
    /// list. One that no module declares is refused, naming the modules that were asked. A
    /// parameter with no criteria is a procedure parameter (e.g. `publicity_working_days`) and is
    /// not the modules' business. `unanswered` names enabled modules whose declaration is unknown
    /// (they did not start): what only they could confirm is noted, not refused. A criterion of a
    /// module written before criteria declared their parameters (`parameters` absent) accepts the
    /// parameters the file lists for it, with a note.
    public func check(against declarations: Declarations, unanswered: [String] = []) -> RulebookCheck {
        var issues: [ValidationIssue] = []
        var notes: [LocalizedText] = []
        let asked = declarations.modules.map(\.id).sorted().joined(separator: ", ")
        let silent = unanswered.sorted().joined(separator: ", ")
        func issue(_ path: String, _ rule: String, _ zh: String, _ en: String) {
            issues.append(ValidationIssue(
                path: path, rule: rule, message: LocalizedText(zh: zh, en: en),
                fix: LocalizedText(zh: "按模块的声明修正 config/parameters.json（cluster-review plugins list 列出各模块的指标与参数）",
                                   en: "correct config/parameters.json to match the modules' declarations (cluster-review plugins list shows them)")))
        }
        for (b, book) in rulebooks.enumerated() {
            for (i, parameter) in book.parameters.enumerated() where !parameter.criteria.isEmpty {
                let path = "$.rulebooks[\(b)].parameters[\(i)]"
                let name = parameter.name
                // Every declared criterion that reads this parameter, with how it declares it.
                var readers: [(criterion: Criterion, declared: CriterionParameter)] = []
                for module in declarations.modules {
                    for criterion in module.criteria {
                        if let declared = criterion.parameters?.first(where: { $0.name == name }) {
                            readers.append((criterion, declared))
                        }
                    }
                }
                var legacy = false
                var uncheckable = false
                var undeclared: [(index: Int, id: String)] = []
                for (c, id) in parameter.criteria.enumerated() {
                    guard let criterion = declarations.criterion(id) else {
                        if unanswered.isEmpty {
                            undeclared.append((c, id))
                        } else {
                            uncheckable = true
                            notes.append(LocalizedText(
                                zh: "\(book.name)：参数 \(name) 所列指标 \(id) 不属于已启动的模块（\(asked)）；未启动的模块（\(silent)）无法核对",
                                en: "\(book.name): parameter \(name) lists \(id), which no started module declares (\(asked)); the modules that did not start (\(silent)) could not be asked"))
                        }
                        continue
                    }
                    guard let declared = criterion.parameters else {
                        legacy = true
                        notes.append(LocalizedText(
                            zh: "\(book.name)：指标 \(id) 的模块未声明参数（旧版模块），按文件接受参数 \(name)",
                            en: "\(book.name): the module of \(id) declares no parameters (an older module); parameter \(name) is accepted as the file lists it"))
                        continue
                    }
                    if !declared.contains(where: { $0.name == name }) {
                        let list = declared.map(\.name).joined(separator: ", ")
                        issue(path + ".criteria[\(c)]", "criteria_mismatch",
                              "指标 \(id) 未声明读取参数 \(name)（其声明的参数：\(list.isEmpty ? "无" : list)）",
                              "criterion \(id) does not declare parameter \(name) (it declares: \(list.isEmpty ? "none" : list))")
                    }
                }
                if readers.isEmpty && !legacy {
                    if uncheckable { continue }
                    let listed = parameter.criteria.joined(separator: ", ")
                    issue(path + ".name", "unknown_parameter",
                          "没有已启用的模块声明参数 \(name)（文件所列指标：\(listed)；已询问的模块：\(asked)）",
                          "no enabled module declares parameter \(name) (the file lists \(listed); modules asked: \(asked))")
                    continue
                }
                for (c, id) in undeclared {
                    issue(path + ".criteria[\(c)]", "undeclared_criterion",
                          "参数 \(name) 所列指标 \(id) 不属于任何已启用的模块（已询问：\(asked)）",
                          "parameter \(name) lists criterion \(id), which no enabled module declares (asked: \(asked))")
                }
                for (criterion, declared) in readers {
                    if declared.comparator != parameter.comparator {
                        issue(path + ".comparator", "comparator_mismatch",
                              "参数 \(name) 的比较符为 \(parameter.comparator)，指标 \(criterion.id) 声明的是 \(declared.comparator)",
                              "parameter \(name) has comparator \(parameter.comparator); criterion \(criterion.id) declares \(declared.comparator)")
                    }
                    if declared.unit != parameter.unit {
                        issue(path + ".unit", "unit_mismatch",
                              "参数 \(name) 的单位为“\(parameter.unit)”，指标 \(criterion.id) 声明的是“\(declared.unit)”",
                              "parameter \(name) has unit \"\(parameter.unit)\"; criterion \(criterion.id) declares \"\(declared.unit)\"")
                    }
                    if !parameter.criteria.contains(criterion.id) {
                        issue(path + ".criteria", "criteria_mismatch",
                              "指标 \(criterion.id) 声明读取参数 \(name)，但文件未列出它",
                              "criterion \(criterion.id) declares parameter \(name), but the file does not list it")
                    }
                }
            }
        }
        return RulebookCheck(issues: issues, notes: notes)
    }
}
