import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks
import ClusterStandard
import ModuleHost
import JSONCore

extension FilingCommands {
    /// What the enabled modules of a registry declare, read from their ready lines (one worker each,
    /// stopped at once), as `plugins list` does: the declarations, and the modules that did not start.
    static func gatherDeclarations(_ registry: ModuleRegistry) async -> (declarations: Declarations, unanswered: [String: String]) {
        var descriptors: [ModuleDescriptor] = []
        var unanswered: [String: String] = [:]
        await withTaskGroup(of: (Int, Result<ModuleDescriptor, WorkerPoolError>).self) { group in
            for (index, module) in registry.enabled.enumerated() {
                var configuration = module.pool
                configuration.workers = 1
                group.addTask {
                    let pool = WorkerPool(configuration: configuration, logger: .discarding)
                    defer { Task { await pool.shutdown() } }
                    do throws(WorkerPoolError) {
                        let descriptor = try await pool.start()
                        await pool.shutdown()
                        return (index, .success(descriptor))
                    } catch {
                        await pool.shutdown()
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<ModuleDescriptor, WorkerPoolError>)] = []
            for await result in group { results.append(result) }
            for (index, result) in results.sorted(by: { $0.0 < $1.0 }) {
                switch result {
                case .success(let descriptor): descriptors.append(descriptor)
                case .failure(let error): unanswered[registry.enabled[index].id] = error.description
                }
            }
        }
        return (Declarations(descriptors), unanswered)
    }

    /// `cluster-review rulebook [NAME] [--json]`: prints the rule book that legal staff sign off —
    /// every criterion the enabled modules declare, module by module, with its article, kind and the
    /// parameters it reads, each with the history of its values in the rulebook (effective date,
    /// value, citation). NAME defaults to the file's default rulebook.
    ///
    /// `declarations` are what the modules declared (`gatherDeclarations`); the file is checked
    /// against them first (`RulebookLibrary.check`). Returns 0; 1 when an enabled module did not
    /// start (its criteria are missing from the print); 65 for an unknown rulebook name, an invalid
    /// file, or parameters the modules do not declare; 66 for a file that cannot be read.
    static func printRulebook(
        name: String?, language: Language, json: Bool = false, parametersPath: String = RulebookLibrary.defaultPath,
        declarations: Declarations, unanswered: [String: String] = [:], output: (String) -> Void
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
        let en = language == .en
        let check = library.check(against: declarations, unanswered: Array(unanswered.keys))
        if !check.isAccepted {
            output(RulebookError.invalid(check.issues).message.text(in: language))
            return ExitCode.dataError
        }
        if json {
            output(rulebookJSON(book, declarations: declarations, unanswered: unanswered).canonicalText(pretty: true))
            return unanswered.isEmpty ? ExitCode.success : ExitCode.failure
        }
        output("\(book.name) — \(book.title.text(in: language))")
        output((en ? "content hash (SHA-256): " : "内容摘要（SHA-256）：") + book.hash)
        output((en ? "rulebooks in the file: " : "文件中的规则集：") + library.rulebooks.map(\.name).joined(separator: ", ")
               + (en ? " (default \(library.defaultName))" : "（默认 \(library.defaultName)）"))
        for note in check.notes { output("  " + note.text(in: language)) }
        for module in declarations.modules {
            output("")
            output("## \(module.id) \(module.version) — \(declarations.title(ofModule: module.id).text(in: language))")
            for criterion in module.criteria {
                output("\(criterion.id) [\(criterion.kind.rawValue)\(criterion.veto ? ", veto" : "")] \(criterion.title.text(in: language)) — \(criterion.citation)")
                for declared in criterion.parameters ?? [] {
                    guard let p = book.parameters.first(where: { $0.name == declared.name }) else {
                        output(en ? "    \(declared.name) \(declared.comparator) (\(declared.unit)): no value in this rulebook: the finding is manual"
                                  : "    \(declared.name) \(declared.comparator)（\(declared.unit)）：本规则集无阈值：该项需人工判断")
                        continue
                    }
                    output("    \(p.name) \(p.comparator) (\(p.unit))")
                    for v in p.values {
                        output("      \(en ? "from" : "自") \(v.effectiveFrom): \(v.value.canonicalText()) — \(v.citation.document), \(v.citation.article)")
                    }
                }
            }
        }
        for (module, reason) in unanswered.sorted(by: { $0.key < $1.key }) {
            output("")
            output(en ? "## \(module) — did not start; its criteria are not shown: \(reason)"
                      : "## \(module) — 未能启动，未列出其指标：\(reason)")
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
        return unanswered.isEmpty ? ExitCode.success : ExitCode.failure
    }

    static func rulebookJSON(_ book: Rulebook, declarations: Declarations, unanswered: [String: String]) -> JSONValue {
        func values(_ p: Parameter) -> JSONValue {
            .array(p.values.map {
                ["effective_from": .string($0.effectiveFrom.description), "value": $0.value,
                 "citation": ["document": .string($0.citation.document), "article": .string($0.citation.article)]]
            })
        }
        let criteria: [JSONValue] = declarations.modules.flatMap { module in
            module.criteria.map { c -> JSONValue in
                let declared = c.parameters ?? []
                let parameters = declared.compactMap { d in book.parameters.first { $0.name == d.name } }
                return ["id": .string(c.id), "module": .string(module.id), "module_version": .string(module.version),
                        "kind": .string(c.kind.rawValue), "citation": .string(c.citation), "veto": .bool(c.veto),
                        "title": ["zh": .string(c.title.zh), "en": .string(c.title.en)],
                        "no_threshold_in_this_rulebook": .bool(parameters.count < declared.count),
                        "parameters": .array(parameters.map { ["name": .string($0.name), "comparator": .string($0.comparator), "unit": .string($0.unit), "values": values($0)] })]
            }
        }
        return ["rulebook": .string(book.name), "hash": .string(book.hash), "title": ["zh": .string(book.title.zh), "en": .string(book.title.en)],
                "criteria": .array(criteria),
                "modules_not_started": .object(unanswered.mapValues { .string($0) })]
    }
}
