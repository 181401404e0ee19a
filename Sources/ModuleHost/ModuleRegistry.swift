import Foundation
import IndicatorKit
import ChildProcesses
import JSONCore

/// Why `config/modules.json` could not be loaded; each case names the file and the place in it.
public enum ModuleRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON.
    case invalidJSON(file: String, reason: String)
    /// A key the format does not know, e.g. a misspelling; `allowed` lists the known ones.
    case unknownKey(file: String, path: String, key: String, allowed: [String])
    /// A required key is absent.
    case missingKey(file: String, path: String, key: String)
    /// A value has the wrong type or is out of range.
    case invalidValue(file: String, path: String, reason: String)
    /// Two modules share an id.
    case duplicateId(file: String, id: String)
    /// An enabled module's executable does not exist or is not executable.
    case missingExecutable(file: String, module: String, path: String)

    /// One line for a person.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read: \(reason)"
        case .invalidJSON(let file, let reason): "\(file): not valid JSON: \(reason)"
        case .unknownKey(let file, let path, let key, let allowed):
            "\(file): unknown key \"\(key)\" in \(path) (known: \(allowed.joined(separator: ", ")))"
        case .missingKey(let file, let path, let key): "\(file): \(path) has no \"\(key)\""
        case .invalidValue(let file, let path, let reason): "\(file): \(path): \(reason)"
        case .duplicateId(let file, let id): "\(file): module id \"\(id)\" appears more than once"
        case .missingExecutable(let file, let module, let path):
            "\(file): module \(module): executable \(path) does not exist or is not executable"
        }
    }
}

/// One module as configured: whether it runs, and how its pool runs it.
public struct ModuleConfiguration: Sendable, Hashable {
    /// The module id.
    public var id: String
    /// False: the module is known but not started (its filings are not sent to it).
    public var enabled: Bool
    /// The pool's configuration, with the executable resolved to an absolute path.
    public var pool: WorkerPoolConfiguration
}

/// The modules the coordinator runs, from `config/modules.json`.
///
/// Format: `{"defaults": {…}, "modules": [{"id": …, "executable": …, …}]}`; every module key but
/// `id` and `executable` may also appear in `defaults`. Keys: `enabled`, `arguments`,
/// `environment`, `workers`, `timeouts` {`start_ms`, `request_ms`, `shutdown_grace_ms`},
/// `limits` {`cpu_seconds`, `address_space_mb`, `open_files`}, `max_attempts`, `recycle_after`,
/// `recycle_jitter`, `max_line_bytes`, `max_message_bytes`, `max_value_bytes`,
/// `stderr_line_bytes`, `restart` {`limit`, `window_seconds`, `backoff_seconds`,
/// `max_backoff_seconds`}, `max_outage_seconds`. An executable without a slash
/// is found in `binDirectory` (beside the `cluster-review` binary); a relative path is taken
/// from `baseDirectory` (the project root). Unknown keys, a duplicate id, or a missing
/// executable of an enabled module are errors.
public struct ModuleRegistry: Sendable, Hashable {
    /// Every configured module, enabled or not, in file order.
    public var modules: [ModuleConfiguration]

    /// The modules that run.
    public var enabled: [ModuleConfiguration] { modules.filter(\.enabled) }

    /// The module with `id`, or nil.
    public func module(_ id: String) -> ModuleConfiguration? { modules.first { $0.id == id } }

    /// The settings `defaults` gives every module (what an executable not in the file would run with).
    public var defaults: WorkerPoolConfiguration

    /// The configuration a module at `executable` runs with: its entry's, when the file has one
    /// for that executable, else the defaults'. `plugins check` starts a module with it.
    public func configuration(forExecutable executable: String) -> WorkerPoolConfiguration {
        let resolved = URL(fileURLWithPath: executable).standardizedFileURL.resolvingSymlinksInPath().path
        if let entry = modules.first(where: {
            URL(fileURLWithPath: $0.pool.executable).standardizedFileURL.resolvingSymlinksInPath().path == resolved
        }) {
            return entry.pool
        }
        var configuration = defaults
        configuration.executable = executable
        return configuration
    }

    /// One pool per enabled module, not yet started.
    public func makePools(logger: Logger = Logger()) -> [WorkerPool] {
        enabled.map { WorkerPool(configuration: $0.pool, logger: logger) }
    }

    /// The directory of the running executable: where module executables are looked for.
    public static var defaultBinDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? "."
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }

    /// Loads `file`; `baseDirectory` defaults to the parent of the file's directory.
    public static func load(
        file: String, binDirectory: String = defaultBinDirectory, baseDirectory: String? = nil
    ) throws(ModuleRegistryError) -> ModuleRegistry {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw .unreadable(file: file, reason: (error as NSError).localizedDescription)
        }
        let base = baseDirectory ?? URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().path
        return try parse(data, file: file, binDirectory: binDirectory, baseDirectory: base)
    }

    /// Parses the JSON in `data`; `file` is only used in error messages.
    public static func parse(
        _ data: Data, file: String, binDirectory: String, baseDirectory: String, checkExecutables: Bool = true
    ) throws(ModuleRegistryError) -> ModuleRegistry {
        let root: JSONValue
        do {
            root = try JSONParser.parse(data, limits: .document)
        } catch {
            throw .invalidJSON(file: file, reason: String(describing: error))
        }
        let reader = Reader(file: file)
        let top = try reader.object(root, path: "the file", allowed: ["defaults", "modules"])
        let defaults = try top["defaults"].map { value throws(ModuleRegistryError) in
            try reader.object(value, path: "defaults", allowed: Reader.settingKeys)
        } ?? [:]
        var defaultConfiguration = WorkerPoolConfiguration(moduleId: "", executable: "")
        _ = try reader.apply(defaults, to: &defaultConfiguration, path: "defaults")
        guard let modulesValue = top["modules"] else { throw .missingKey(file: file, path: "the file", key: "modules") }
        guard case .array(let entries) = modulesValue else {
            throw .invalidValue(file: file, path: "modules", reason: "must be an array")
        }
        var modules: [ModuleConfiguration] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let path = "modules[\(index)]"
            let members = try reader.object(entry, path: path, allowed: ["id", "executable"] + Reader.settingKeys)
            let id = try reader.string(members, "id", path: path, required: true)!
            guard !id.isEmpty else { throw .invalidValue(file: file, path: path, reason: "id must not be empty") }
            guard seen.insert(id).inserted else { throw .duplicateId(file: file, id: id) }
            let executable = try reader.string(members, "executable", path: path, required: true)!
            let resolved: String
            if !executable.contains("/") {
                resolved = binDirectory + "/" + executable
            } else if executable.hasPrefix("/") {
                resolved = executable
            } else {
                resolved = URL(fileURLWithPath: baseDirectory).appendingPathComponent(executable).standardizedFileURL.path
            }
            var settings = defaults
            for (key, value) in members where key != "id" && key != "executable" { settings[key] = value }
            var pool = WorkerPoolConfiguration(moduleId: id, executable: resolved)
            let enabled = try reader.apply(settings, to: &pool, path: path)
            if enabled && checkExecutables && access(resolved, X_OK) != 0 {
                throw .missingExecutable(file: file, module: id, path: resolved)
            }
            modules.append(ModuleConfiguration(id: id, enabled: enabled, pool: pool))
        }
        return ModuleRegistry(modules: modules, defaults: defaultConfiguration)
    }

    /// Typed access to the JSON with errors that say where.
    struct Reader {
        let file: String

        static let settingKeys = [
            "enabled", "arguments", "environment", "workers", "timeouts", "limits", "max_attempts", "recycle_after",
            "recycle_jitter", "max_line_bytes", "max_message_bytes", "max_value_bytes", "stderr_line_bytes", "restart",
            "max_outage_seconds",
        ]

        func object(_ value: JSONValue, path: String, allowed: [String]) throws(ModuleRegistryError) -> [String: JSONValue] {
            guard case .object(let members) = value else {
                throw .invalidValue(file: file, path: path, reason: "must be an object")
            }
            for key in members.keys.sorted() where !allowed.contains(key) {
                throw .unknownKey(file: file, path: path, key: key, allowed: allowed)
            }
            return members
        }

        func string(_ members: [String: JSONValue], _ key: String, path: String, required: Bool = false) throws(ModuleRegistryError) -> String? {
            guard let value = members[key] else {
                if required { throw .missingKey(file: file, path: path, key: key) }
                return nil
            }
            guard case .string(let text) = value else { throw .invalidValue(file: file, path: path, reason: "\(key) must be a string") }
            return text
        }

        func integer(_ members: [String: JSONValue], _ key: String, path: String, minimum: Int) throws(ModuleRegistryError) -> Int? {
            guard let value = members[key] else { return nil }
            guard case .number(let number) = value, number >= Decimal(minimum), number <= Decimal(1 << 50),
                Decimal(NSDecimalNumber(decimal: number).intValue) == number
            else {
                throw .invalidValue(file: file, path: path, reason: "\(key) must be a whole number ≥ \(minimum)")
            }
            return NSDecimalNumber(decimal: number).intValue
        }

        func number(_ members: [String: JSONValue], _ key: String, path: String) throws(ModuleRegistryError) -> Double? {
            guard let value = members[key] else { return nil }
            guard case .number(let number) = value, number >= 0 else {
                throw .invalidValue(file: file, path: path, reason: "\(key) must be a number ≥ 0")
            }
            return NSDecimalNumber(decimal: number).doubleValue
        }

        /// Applies `settings` to `pool`; returns `enabled` (default true).
        func apply(_ settings: [String: JSONValue], to pool: inout WorkerPoolConfiguration, path: String) throws(ModuleRegistryError) -> Bool {
            var enabled = true
            if let value = settings["enabled"] {
                guard case .bool(let flag) = value else { throw .invalidValue(file: file, path: path, reason: "enabled must be true or false") }
                enabled = flag
            }
            if let value = settings["arguments"] {
                guard case .array(let items) = value, items.allSatisfy({ $0.string != nil }) else {
                    throw .invalidValue(file: file, path: path, reason: "arguments must be an array of strings")
                }
                pool.arguments = items.compactMap(\.string)
            }
            if let value = settings["environment"] {
                let members = try object(value, path: path + ".environment", allowed: Array((value.objectKeys)))
                var environment: [String: String] = [:]
                for (key, item) in members {
                    guard case .string(let text) = item else {
                        throw .invalidValue(file: file, path: path + ".environment", reason: "\(key) must be a string")
                    }
                    environment[key] = text
                }
                pool.environment = environment
            }
            if let workers = try integer(settings, "workers", path: path, minimum: 1) { pool.workers = workers }
            if let value = settings["timeouts"] {
                let timeouts = try object(value, path: path + ".timeouts", allowed: ["start_ms", "request_ms", "shutdown_grace_ms"])
                if let ms = try integer(timeouts, "start_ms", path: path + ".timeouts", minimum: 1) { pool.startTimeout = .milliseconds(ms) }
                if let ms = try integer(timeouts, "request_ms", path: path + ".timeouts", minimum: 1) { pool.requestTimeout = .milliseconds(ms) }
                if let ms = try integer(timeouts, "shutdown_grace_ms", path: path + ".timeouts", minimum: 0) { pool.shutdownGrace = .milliseconds(ms) }
            }
            if let value = settings["limits"] {
                let limits = try object(value, path: path + ".limits", allowed: ["cpu_seconds", "address_space_mb", "open_files"])
                var resolved = ResourceLimits()
                resolved.cpuSeconds = try integer(limits, "cpu_seconds", path: path + ".limits", minimum: 1)
                resolved.addressSpaceBytes = try integer(limits, "address_space_mb", path: path + ".limits", minimum: 16).map { $0 << 20 }
                resolved.openFiles = try integer(limits, "open_files", path: path + ".limits", minimum: 4)
                pool.limits = resolved
            }
            if let attempts = try integer(settings, "max_attempts", path: path, minimum: 1) { pool.maxAttempts = attempts }
            if let value = settings["recycle_after"] {
                pool.recycleAfter = value == .null ? nil : try integer(settings, "recycle_after", path: path, minimum: 1)
            }
            if let jitter = try number(settings, "recycle_jitter", path: path) { pool.recycleJitter = jitter }
            if let bytes = try integer(settings, "max_line_bytes", path: path, minimum: 1024) { pool.maxLineBytes = bytes }
            if let bytes = try integer(settings, "max_message_bytes", path: path, minimum: 64) { pool.answerLimits.messageBytes = bytes }
            if let bytes = try integer(settings, "max_value_bytes", path: path, minimum: 256) { pool.answerLimits.valueBytes = bytes }
            if let seconds = try integer(settings, "max_outage_seconds", path: path, minimum: 0) { pool.maxOutage = .seconds(seconds) }
            if let bytes = try integer(settings, "stderr_line_bytes", path: path, minimum: 80) { pool.stderrLineBytes = bytes }
            if let value = settings["restart"] {
                let restart = try object(value, path: path + ".restart", allowed: ["limit", "window_seconds", "backoff_seconds", "max_backoff_seconds"])
                let where_ = path + ".restart"
                if let limit = try integer(restart, "limit", path: where_, minimum: 0) { pool.restartLimit = limit }
                if let seconds = try integer(restart, "window_seconds", path: where_, minimum: 1) { pool.restartWindow = .seconds(seconds) }
                if let seconds = try integer(restart, "backoff_seconds", path: where_, minimum: 0) { pool.initialBackoff = .seconds(seconds) }
                if let seconds = try integer(restart, "max_backoff_seconds", path: where_, minimum: 0) { pool.maxBackoff = .seconds(seconds) }
            }
            return enabled
        }
    }
}

extension JSONValue {
    fileprivate var objectKeys: [String] {
        if case .object(let members) = self { return Array(members.keys) }
        return []
    }
}
