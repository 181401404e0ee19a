import Foundation
import IndicatorKit
import ReviewCore
import TestSupport
import Testing
import ModuleHost

/// The built-in modules are listed once, in Package.swift's table, and everything a module needs
/// besides — its main.swift, its config/modules.json entry, its case table — agrees with it.
@Suite struct BuiltInModuleListTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Package.swift's `indicatorModules` table, as (target, executable).
    static func table() throws -> [(target: String, executable: String)] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        guard let start = manifest.range(of: "let indicatorModules"), let end = manifest.range(of: "]\n", range: start.upperBound..<manifest.endIndex)
        else { return [] }
        var rows: [(String, String)] = []
        for line in manifest[start.upperBound..<end.lowerBound].split(separator: "\n") {
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard line.trimmingCharacters(in: .whitespaces).hasPrefix("("), quoted.count >= 5 else { continue }
            rows.append((String(quoted[1]), String(quoted[3])))
        }
        return rows
    }

    /// The enabled modules of config/modules.json whose executable is built by this package, by executable.
    static func configured() throws -> [String: String] {
        let registry = try ModuleRegistry.parse(
            Data(contentsOf: root.appendingPathComponent("config/modules.json")), file: "config/modules.json",
            binDirectory: "/bin-of-the-package", baseDirectory: root.path, checkExecutables: false)
        var result: [String: String] = [:]
        for module in registry.modules where module.pool.executable.hasPrefix("/bin-of-the-package/") {
            result[String(module.pool.executable.dropFirst("/bin-of-the-package/".count))] = module.id
        }
        return result
    }

    @Test func theTableNamesEachModuleOnce() throws {
        let table = try Self.table()
        #expect(table.count >= 10)
        #expect(Set(table.map(\.target)).count == table.count)
        #expect(Set(table.map(\.executable)).count == table.count)
    }

    @Test func everyModuleOfTheTableHasItsMainSwift() throws {
        for row in try Self.table() {
            let main = Self.root.appendingPathComponent("Plugins/\(row.target)/main.swift").path
            #expect(FileManager.default.fileExists(atPath: main), "Plugins/\(row.target)/main.swift")
        }
    }

    @Test func configModulesJsonRunsExactlyTheModulesOfTheTable() throws {
        #expect(Set(try Self.configured().keys) == Set(try Self.table().map(\.executable)))
    }

    @Test func everyModuleOfTheTableHasACaseTable() throws {
        for (executable, id) in try Self.configured() {
            let cases = Self.root.appendingPathComponent("Tests/IndicatorsTests/Cases/\(id).json").path
            #expect(FileManager.default.fileExists(atPath: cases), "\(executable): Tests/IndicatorsTests/Cases/\(id).json")
        }
    }

    @Test func theRunningModulesAreTheTablesModules() async throws {
        let declared = Set(try await BuiltInModules.declarations().modules.map(\.id))
        #expect(declared == Set(try Self.configured().values))
    }

    /// No source file restates the list: none names all the built-in modules, or all but one.
    /// (The standard's eight indicators, `RecognitionStandard.indicators`, are not the list: a new
    /// module is not one of them.)
    @Test func noSourceFileRestatesTheList() throws {
        let ids = Array(try Self.configured().values)
        var offenders: [String] = []
        for folder in ["Sources", "Tests", "Plugins"] {
            let base = Self.root.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                guard let text = try? String(contentsOf: base.appendingPathComponent(file), encoding: .utf8) else { continue }
                let named = ids.filter { text.contains("\"\($0)\"") }
                if named.count >= ids.count - 1 { offenders.append("\(folder)/\(file) names \(named.count) of \(ids.count)") }
            }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
