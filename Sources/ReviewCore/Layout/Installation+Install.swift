import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `Installation.install(into:modules:)` did, for the person who ran it.
public struct InstallReport: Sendable, Hashable {
    /// The installed layout.
    public var installation: Installation
    /// Executables copied into `bin/` (file names).
    public var executables: [String]
    /// Other module files copied, relative to the prefix (a script module under `Plugins/`).
    public var moduleFiles: [String]
    /// True when `config/` was already there and was kept as it was (an upgrade).
    public var keptConfiguration: Bool
    /// Module executables named by absolute paths outside the installation: left where they are.
    public var external: [String]
}

/// Why an installation could not be made; nothing half-copied is left in `bin/` or `sql/`.
public enum InstallError: Error, Sendable, CustomStringConvertible {
    /// A file or folder could not be created or copied.
    case copyFailed(path: String, reason: String)
    /// The prefix is inside the source installation (it would copy itself into itself).
    case prefixInsideSource(prefix: String)

    /// One sentence for a person.
    public var description: String {
        switch self {
        case .copyFailed(let path, let reason): "cannot install \(path): \(reason)"
        case .prefixInsideSource(let prefix): "the prefix \(prefix) is inside the project folder; choose another, e.g. /opt/cluster-review"
        }
    }
}

extension Installation {
    /// Copies what a server needs into `prefix`: `bin/` (this program and every module executable
    /// of `modules`), `sql/`, and `config/` — which is kept as it is when it exists already, since it
    /// is the administrator's. The installed `bin/cluster-review` finds its `config/` and `sql/` as
    /// the folders beside `bin/` (see `Installation.current`), so a symbolic link to it on the PATH is
    /// all a server needs.
    ///
    /// `bin/` and `sql/` are assembled in a temporary folder inside `prefix` and swapped in by rename,
    /// so a failure leaves the previous installation whole.
    public func install(into prefix: URL, moduleExecutables: [String]) throws(InstallError) -> InstallReport {
        let fm = FileManager.default
        let prefix = prefix.standardizedFileURL
        if (prefix.path + "/").hasPrefix(root.standardizedFileURL.path + "/") {
            throw .prefixInsideSource(prefix: prefix.path)
        }
        func attempt<T>(_ path: String, _ body: () throws -> T) throws(InstallError) -> T {
            do { return try body() } catch { throw .copyFailed(path: path, reason: (error as NSError).localizedDescription) }
        }
        try attempt(prefix.path) { try fm.createDirectory(at: prefix, withIntermediateDirectories: true) }
        let staging = prefix.appendingPathComponent(".installing-\(getpid())")
        try? fm.removeItem(at: staging)
        defer { try? fm.removeItem(at: staging) }
        let stagedBin = staging.appendingPathComponent("bin")
        try attempt(stagedBin.path) { try fm.createDirectory(at: stagedBin, withIntermediateDirectories: true) }

        var executables = ["cluster-review"]
        let selfPath = URL(fileURLWithPath: Self.executablePath()).resolvingSymlinksInPath()
        try attempt(selfPath.path) { try fm.copyItem(at: selfPath, to: stagedBin.appendingPathComponent("cluster-review")) }
        var moduleFiles: [String] = []
        var external: [String] = []
        let binPrefix = self.executables.standardizedFileURL.path + "/"
        let rootPrefix = root.standardizedFileURL.path + "/"
        for path in Set(moduleExecutables).sorted() {
            let source = URL(fileURLWithPath: path).standardizedFileURL
            guard fm.isExecutableFile(atPath: source.path) else { continue }
            if source.path.hasPrefix(binPrefix) {
                let name = source.lastPathComponent
                guard name != "cluster-review" else { continue }
                try attempt(source.path) { try fm.copyItem(at: source, to: stagedBin.appendingPathComponent(name)) }
                executables.append(name)
            } else if source.path.hasPrefix(rootPrefix) {
                let relative = String(source.path.dropFirst(rootPrefix.count))
                let target = staging.appendingPathComponent("modules").appendingPathComponent(relative)
                try attempt(target.path) {
                    try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try fm.copyItem(at: source, to: target)
                }
                moduleFiles.append(relative)
            } else {
                external.append(source.path)
            }
        }
        try attempt(sqlDirectory.path) { try fm.copyItem(at: sqlDirectory, to: staging.appendingPathComponent("sql")) }

        // Swap in bin/ and sql/; script modules keep their relative paths under the prefix.
        for name in ["bin", "sql"] {
            let target = prefix.appendingPathComponent(name)
            try? fm.removeItem(at: target)
            try attempt(target.path) { try fm.moveItem(at: staging.appendingPathComponent(name), to: target) }
        }
        for relative in moduleFiles {
            let target = prefix.appendingPathComponent(relative)
            try attempt(target.path) {
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? fm.removeItem(at: target)
                try fm.moveItem(at: staging.appendingPathComponent("modules").appendingPathComponent(relative), to: target)
            }
        }
        let config = prefix.appendingPathComponent("config")
        let kept = fm.fileExists(atPath: config.path)
        if !kept {
            try attempt(config.path) { try fm.copyItem(at: configDirectory, to: config) }
        }
        let installed = Installation(root: prefix, executables: prefix.appendingPathComponent("bin"))
        return InstallReport(
            installation: installed, executables: executables.sorted(), moduleFiles: moduleFiles, keptConfiguration: kept,
            external: external)
    }
}
