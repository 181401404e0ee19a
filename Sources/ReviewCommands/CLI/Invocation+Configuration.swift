import Foundation
import ReviewCore
import Rulebooks

extension Invocation {
    /// The module registry: `--modules FILE` or config/modules.json; executables beside this binary.
    func moduleRegistry() throws -> ModuleRegistry {
        let installation = try installation()
        let file = value("--modules") ?? installation.configDirectory.appendingPathComponent("modules.json").path
        do {
            return try ModuleRegistry.load(file: file, binDirectory: installation.executables.path, baseDirectory: installation.root.path)
        } catch {
            throw CommandFailure(zh: "模块配置有误：\(error)", en: "module configuration: \(error)", exitCode: ExitCode.dataError)
        }
    }

    /// The rulebooks: `--parameters FILE` or config/parameters.json.
    func rulebookLibrary() throws -> RulebookLibrary {
        let installation = try installation()
        let file = value("--parameters") ?? installation.configDirectory.appendingPathComponent("parameters.json").path
        do {
            return try RulebookLibrary.load(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CommandFailure(zh: "规则参数有误：\(error)", en: "rulebooks: \(error)", exitCode: ExitCode.dataError)
        }
    }
}
