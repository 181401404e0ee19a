import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks
import ClusterStandard
import ModuleHost

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

    /// `library` checked against what the enabled modules declared (`RulebookLibrary.check`):
    /// parameters no enabled module declares, or declares differently, are a configuration error
    /// (exit 78) naming the modules asked; what could not be checked is logged.
    func checkRulebooks(
        _ library: RulebookLibrary, declarations: Declarations, unanswered: [String], log: (LocalizedText) -> Void
    ) throws {
        let check = library.check(against: declarations, unanswered: unanswered)
        for note in check.notes { log(note) }
        guard check.isAccepted else {
            let message = RulebookError.invalid(check.issues).message
            throw CommandFailure(zh: "规则参数与模块声明不符：\(message.zh)", en: "rulebooks: \(message.en)", exitCode: ExitCode.configuration)
        }
    }
}
