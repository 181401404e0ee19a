import Foundation

/// Where the project's files are: `sql/` (migrations), `config/` (modules, rulebooks, samples),
/// the module executables, and `.local/` (the private database).
///
/// Found in this order: the `CLUSTER_REVIEW_HOME` environment variable; the nearest ancestor of
/// the running executable that holds both `sql/` and `config/` (a build under `.build/`, or an
/// installation such as `/opt/cluster-review/bin/cluster-review`, also through a symbolic link on
/// the PATH); the nearest such ancestor of the working directory. `CLUSTER_REVIEW_CONFIG` (or the
/// CLI's `--config DIR`) names another configuration folder, e.g. `/etc/cluster-review`.
public struct Installation: Sendable, Hashable {
    /// The folder holding `sql/` and `config/`.
    public var root: URL
    /// The folder holding `cluster-review` and the `indicator-*` executables.
    public var executables: URL
    /// The configuration folder when it is not `root/config`.
    public var configOverride: URL?

    /// An installation rooted at `root`, with its executables in `executables`.
    public init(root: URL, executables: URL, configOverride: URL? = nil) {
        self.root = root
        self.executables = executables
        self.configOverride = configOverride
    }

    /// The migrations.
    public var sqlDirectory: URL { root.appendingPathComponent("sql") }
    /// modules.json, parameters.json, lifecycle.json, calendar.json and the samples.
    public var configDirectory: URL { configOverride ?? root.appendingPathComponent("config") }
    /// The private database and the demo's reports.
    public var localDirectory: URL { root.appendingPathComponent(".local") }

    /// The installation of the running process.
    /// - Throws: `InstallationError.notFound` listing the places searched.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Installation {
        let executable = URL(fileURLWithPath: Self.executablePath()).resolvingSymlinksInPath()
        let executables = executable.deletingLastPathComponent()
        let config = environment["CLUSTER_REVIEW_CONFIG"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        var searched: [String] = []
        if let home = environment["CLUSTER_REVIEW_HOME"], !home.isEmpty {
            let root = URL(fileURLWithPath: home)
            if Self.holdsProject(root) { return Installation(root: root, executables: executables, configOverride: config) }
            searched.append(home)
        }
        for start in [executables, URL(fileURLWithPath: FileManager.default.currentDirectoryPath)] {
            var candidate = start
            while true {
                if Self.holdsProject(candidate) { return Installation(root: candidate, executables: executables, configOverride: config) }
                searched.append(candidate.path)
                let parent = candidate.deletingLastPathComponent()
                if parent.path == candidate.path { break }
                candidate = parent
            }
        }
        throw InstallationError.notFound(searched: Array(searched.prefix(6)))
    }

    static func holdsProject(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        let fm = FileManager.default
        return fm.fileExists(atPath: url.appendingPathComponent("sql").path, isDirectory: &isDirectory) && isDirectory.boolValue
            && fm.fileExists(atPath: url.appendingPathComponent("config").path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// The project's files could not be found.
public enum InstallationError: Error, Sendable, CustomStringConvertible {
    case notFound(searched: [String])

    public var description: String {
        switch self {
        case .notFound(let searched):
            return "cannot find the project's sql/ and config/ folders (searched \(searched.joined(separator: ", "))); "
                + "set CLUSTER_REVIEW_HOME to the folder that holds them"
        }
    }
}
