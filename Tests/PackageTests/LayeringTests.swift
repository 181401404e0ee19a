import Foundation
import Testing

/// The package's shape holds: every dependency points down the layer table of Package.swift, and
/// every project module a source file imports is a declared dependency of its target.
///
/// Read from the files themselves — Package.swift's `layers` table and its target declarations,
/// and the `import` lines of every Swift file under Sources/, Plugins/ and Tests/ — so the check
/// needs no build of the manifest and fails on the commit that breaks the shape.
@Suite struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let manifest = Manifest.read(root.appendingPathComponent("Package.swift"))

    @Test func everyTargetStandsInOneLayer() {
        let manifest = Self.manifest
        #expect(!manifest.targets.isEmpty && !manifest.layers.isEmpty, "Package.swift could not be read")
        for target in manifest.targets where !target.isTest {
            #expect(manifest.layer(of: target.name) != nil, "\(target.name) is in no layer of Package.swift's `layers` table")
        }
        var seen: Set<String> = []
        for name in manifest.layers.joined() {
            #expect(seen.insert(name).inserted, "\(name) stands in two layers")
        }
    }

    @Test func everyDependencyPointsDown() {
        let violations = Self.manifest.dependencyViolations()
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
    }

    @Test func everyImportedProjectModuleIsADeclaredDependency() throws {
        let manifest = Self.manifest
        var imports: [(file: String, target: String, modules: [String])] = []
        for target in manifest.targets {
            for file in Self.swiftFiles(under: Self.root.appendingPathComponent(target.path)) {
                let text = try String(contentsOf: file, encoding: .utf8)
                imports.append((String(file.path.dropFirst(Self.root.path.count + 1)), target.name, Self.imports(in: text)))
            }
        }
        #expect(imports.count > 200, "too few files found: the check is not reading the sources")
        let violations = manifest.importViolations(imports)
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
    }

    @Test func theCheckCatchesAnUpwardDependencyAndAnUndeclaredImport() {
        let manifest = Manifest.parse(Self.sampleManifest)
        #expect(manifest.targets.map(\.name) == ["Low", "High", "indicator-*", "LowTests"])
        #expect(manifest.dependencyViolations() == ["Low (layer 0) depends on High (layer 1): a dependency must point down"])
        #expect(manifest.importViolations([("Sources/High/A.swift", "High", ["Foundation", "Low", "High"])]) == [
            "Sources/High/A.swift imports Low, which is not a dependency of High"
        ])
        #expect(Self.imports(in: "import Foundation\n@testable import Low\n  import struct High.Thing\n// import Nope\n") == ["Foundation", "Low", "High"])
    }

    static let sampleManifest = """
        let layers: [[String]] = [
            ["Low"],
            ["High", "indicator-*"],
        ]
        let package = Package(name: "X", targets: [
            .target(name: "Low", dependencies: ["High"]),
            .target(
                name: "High",
                dependencies: []
            ),
        ] + modules.map {
            .executableTarget(name: $0.executable, dependencies: ["Low"], path: "Plugins/\\($0.target)")
        } + [.testTarget(name: "LowTests", dependencies: ["Low"])])
        """

    // MARK: - Reading the files

    /// The project modules a Swift file imports (`import X`, `@testable import X`, `import struct X.Y`).
    static func imports(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("@testable ") { line = String(line.dropFirst("@testable ".count)) }
            guard line.hasPrefix("import ") else { return nil }
            let words = line.dropFirst("import ".count).split(separator: " ")
            guard let last = words.last else { return nil }
            return String(last.split(separator: ".").first ?? last)
        }
    }

    static func swiftFiles(under folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    /// Package.swift as this check reads it: the layer table and each target's name, dependencies and folder.
    struct Manifest {
        struct Target {
            var name: String
            var dependencies: [String]
            var path: String
            var isTest: Bool
        }

        var layers: [[String]]
        var targets: [Target]

        /// The layer `name` stands in (0 is the bottom); the module executables are `indicator-*`.
        func layer(of name: String) -> Int? {
            let key = name.hasPrefix("indicator-") ? "indicator-*" : name
            return layers.firstIndex { $0.contains(key) }
        }

        /// A line for every dependency that points up or sideways, or to a target in no layer
        /// (a test target sits above everything and may depend on any target of a layer).
        func dependencyViolations() -> [String] {
            var violations: [String] = []
            for target in targets {
                for dependency in target.dependencies {
                    guard let below = layer(of: dependency) else {
                        violations.append("\(target.name) depends on \(dependency), which is in no layer")
                        continue
                    }
                    guard !target.isTest, let layer = layer(of: target.name) else { continue }
                    if below >= layer {
                        violations.append("\(target.name) (layer \(layer)) depends on \(dependency) (layer \(below)): a dependency must point down")
                    }
                }
            }
            return violations
        }

        /// A line for every import of a project module that is not a declared dependency of the
        /// importing file's target.
        func importViolations(_ files: [(file: String, target: String, modules: [String])]) -> [String] {
            let projectModules = Set(targets.filter { !$0.isTest && $0.name != "indicator-*" }.map(\.name))
            var violations: [String] = []
            for (file, targetName, modules) in files {
                let declared = targets.first { $0.name == targetName }?.dependencies ?? []
                for module in modules where projectModules.contains(module) && module != targetName && !declared.contains(module) {
                    violations.append("\(file) imports \(module), which is not a dependency of \(targetName)")
                }
            }
            return violations
        }

        static func read(_ url: URL) -> Manifest {
            parse((try? String(contentsOf: url, encoding: .utf8)) ?? "")
        }

        /// Parses the `let layers` table and every `.target(`, `.executableTarget(`, `.testTarget(`
        /// and `.systemLibrary(` call: its `name:`, its `dependencies:` strings and `.target(name:)`
        /// entries, its `path:`. A target named by `$0.executable` is a module executable (`indicator-*`).
        static func parse(_ text: String) -> Manifest {
            var layers: [[String]] = []
            if let start = text.range(of: "let layers: [[String]] = [") {
                let rest = text[start.upperBound...]
                let table = rest[..<(rest.range(of: "\n]")?.lowerBound ?? rest.endIndex)]
                for line in table.split(separator: "\n") where line.contains("[") {
                    layers.append(strings(in: line))
                }
            }
            var targets: [Target] = []
            let kinds = [".target(", ".executableTarget(", ".testTarget(", ".systemLibrary("]
            var index = text.startIndex
            while let next = kinds.compactMap({ text.range(of: $0, range: index..<text.endIndex) }).min(by: { $0.lowerBound < $1.lowerBound }) {
                let call = balanced(text, from: next.upperBound)
                index = call.endIndex
                let body = String(call)
                guard let nameRange = body.range(of: "name: ") else { continue }
                let afterName = body[nameRange.upperBound...]
                let name: String
                if afterName.hasPrefix("\"") {
                    name = String(afterName.dropFirst().prefix { $0 != "\"" })
                } else if afterName.hasPrefix("$0.executable") {
                    name = "indicator-*"
                } else {
                    continue  // `.target(name: $0.executable)` inside a dependency list
                }
                var dependencies: [String] = []
                if let dependencyRange = body.range(of: "dependencies: [") {
                    let list = balanced(body, from: dependencyRange.upperBound, open: "[", close: "]")
                    dependencies = strings(in: list)
                }
                let isTest = text[next].hasPrefix(".testTarget")
                var path = isTest ? "Tests/\(name)" : "Sources/\(name)"
                if let pathRange = body.range(of: "path: \"") {
                    path = String(body[pathRange.upperBound...].prefix { $0 != "\"" && $0 != "\\" })
                }
                if name == "indicator-*" { path = "Plugins" }
                targets.append(Target(name: name, dependencies: dependencies, path: path, isTest: isTest))
            }
            return Manifest(layers: layers, targets: targets)
        }

        /// The text from `start` up to the parenthesis (or bracket) that closes the one just opened.
        static func balanced(_ text: some StringProtocol, from start: String.Index, open: Character = "(", close: Character = ")") -> Substring {
            let whole = Substring(text)
            var depth = 1
            var index = start
            while index < whole.endIndex {
                let character = whole[index]
                if character == open { depth += 1 }
                if character == close {
                    depth -= 1
                    if depth == 0 { return whole[start..<index] }
                }
                index = whole.index(after: index)
            }
            return whole[start...]
        }

        /// Every double-quoted string in `text`.
        static func strings(in text: some StringProtocol) -> [String] {
            text.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
    }
}
