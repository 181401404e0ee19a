import Foundation
import ReviewCore
import Rulebooks

extension Invocation {
    /// The module registry: `--modules FILE` or config/modules.json; executables beside this binary.
    ///
    /// A registry that cannot be loaded is a configuration error (exit 78); a module executable
    /// that is missing names the command that builds or installs it.
    func moduleRegistry() throws -> ModuleRegistry {
        let installation = try installation()
        let file = value("--modules") ?? installation.configDirectory.appendingPathComponent("modules.json").path
        do {
            return try ModuleRegistry.load(file: file, binDirectory: installation.executables.path, baseDirectory: installation.root.path)
        } catch {
            if case .missingExecutable = error {
                throw CommandFailure(
                    zh: "模块配置有误：\(error)\n修复：在项目目录运行 swift build（构建全部模块），或按 docs/administrator-guide.md 安装；"
                        + "若路径有误，请修改 \(file) 中该模块的 executable",
                    en: "module configuration: \(error)\nfix: run `swift build` in the project folder (it builds every module), "
                        + "or install as docs/administrator-guide.md says; if the path is wrong, correct the module's \"executable\" in \(file)",
                    exitCode: ExitCode.configuration)
            }
            throw CommandFailure(zh: "模块配置有误：\(error)", en: "module configuration: \(error)", exitCode: ExitCode.configuration)
        }
    }

    /// The rulebooks: `--parameters FILE` or config/parameters.json; a file that cannot be loaded
    /// is a configuration error (exit 78).
    func rulebookLibrary() throws -> RulebookLibrary {
        let installation = try installation()
        let file = value("--parameters") ?? installation.configDirectory.appendingPathComponent("parameters.json").path
        do {
            return try RulebookLibrary.load(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CommandFailure(zh: "规则参数有误：\(error)", en: "rulebooks: \(error)", exitCode: ExitCode.configuration)
        }
    }
}
