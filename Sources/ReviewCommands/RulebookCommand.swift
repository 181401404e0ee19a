import Foundation
import IndicatorKit
import Rulebooks

/// `cluster-review rulebook [NAME] [--json]`: prints the rule book that legal staff sign off —
/// every criterion with its article, kind, comparator and parameters, each with the history of
/// its values (effective date, value, citation). NAME defaults to the file's default rulebook.
///
/// Reads `parametersPath` (config/parameters.json). Returns 0; 65 for an unknown rulebook name or
/// an invalid file; 66 for a file that cannot be read.
public func runRulebook(
    name: String?, language: String, json: Bool = false, parametersPath: String = RulebookLibrary.defaultPath,
    output: (String) -> Void
) -> Int32 {
    let data: Data
    do {
        data = try InputFile.read(parametersPath, limit: 16 << 20)
    } catch {
        output(error.message.text(in: language))
        return ExitCode.noInput
    }
    let library: RulebookLibrary
    let book: Rulebook
    do {
        library = try RulebookLibrary.parse(data)
        book = try library.rulebook(named: name)
    } catch {
        output(error.message.text(in: language))
        return ExitCode.dataError
    }
    let en = language == "en"
    // Criteria that read a parameter in any rulebook: without one here they are `manual`.
    let everNeeded = Set(library.rulebooks.flatMap { $0.parameters.flatMap(\.criteria) })
    if json {
        output(rulebookJSON(book, everNeeded: everNeeded).canonicalText(pretty: true))
        return ExitCode.success
    }
    output("\(book.name) — \(book.title.text(in: language))")
    output((en ? "content hash (SHA-256): " : "内容摘要（SHA-256）：") + book.hash)
    output((en ? "rulebooks in the file: " : "文件中的规则集：") + library.rulebooks.map(\.name).joined(separator: ", ")
           + (en ? " (default \(library.defaultName))" : "（默认 \(library.defaultName)）"))
    for module in CriteriaCatalog.modules {
        output("")
        output("## \(module.module) — \(module.title.text(in: language))")
        for criterion in module.criteria {
            output("\(criterion.id) [\(criterion.kind.rawValue)] \(criterion.title.text(in: language)) — \(criterion.citation)")
            let parameters = book.parameters.filter { $0.criteria.contains(criterion.id) }
            if parameters.isEmpty && everNeeded.contains(criterion.id) {
                output(en ? "    no threshold in this rulebook: the finding is manual" : "    本规则集无阈值：该项需人工判断")
            }
            for p in parameters {
                output("    \(p.name) \(p.comparator) (\(p.unit))")
                for v in p.values {
                    output("      \(en ? "from" : "自") \(v.effectiveFrom): \(v.value.canonicalText()) — \(v.citation.document), \(v.citation.article)")
                }
            }
        }
    }
    let unattached = book.parameters.filter { $0.criteria.isEmpty }
    if !unattached.isEmpty {
        output("")
        output(en ? "## procedure parameters" : "## 程序参数")
        for p in unattached {
            for v in p.values {
                output("    \(p.name) \(p.comparator) (\(p.unit)) \(en ? "from" : "自") \(v.effectiveFrom): \(v.value.canonicalText()) — \(v.citation.document), \(v.citation.article)")
            }
        }
    }
    return ExitCode.success
}

func rulebookJSON(_ book: Rulebook, everNeeded: Set<String>) -> JSONValue {
    func values(_ p: Parameter) -> JSONValue {
        .array(p.values.map {
            ["effective_from": .string($0.effectiveFrom.description), "value": $0.value,
             "citation": ["document": .string($0.citation.document), "article": .string($0.citation.article)]]
        })
    }
    let criteria: [JSONValue] = CriteriaCatalog.modules.flatMap { module in
        module.criteria.map { c -> JSONValue in
            let parameters = book.parameters.filter { $0.criteria.contains(c.id) }
            return ["id": .string(c.id), "module": .string(module.module), "kind": .string(c.kind.rawValue), "citation": .string(c.citation),
                    "title": ["zh": .string(c.title.zh), "en": .string(c.title.en)],
                    "no_threshold_in_this_rulebook": .bool(parameters.isEmpty && everNeeded.contains(c.id)),
                    "parameters": .array(parameters.map { ["name": .string($0.name), "comparator": .string($0.comparator), "unit": .string($0.unit), "values": values($0)] })]
        }
    }
    return ["rulebook": .string(book.name), "hash": .string(book.hash), "title": ["zh": .string(book.title.zh), "en": .string(book.title.en)],
            "criteria": .array(criteria)]
}
