/// Constants of the module protocol shared by the coordinator and every module.
///
/// See docs/module-protocol.md for the full specification, with an example of every message.
public enum ModuleProtocol {
    /// The protocol version this build speaks.
    public static let version = 1

    /// The versions the coordinator offers to the modules it starts, most preferred first.
    public static let supportedVersions: [Int] = [1]

    /// The environment variable in which the coordinator offers its versions, e.g. `1` or `1,2`.
    ///
    /// A module that finds it missing was started by hand; it says so on stderr and exits
    /// non-zero instead of waiting on a terminal.
    public static let environmentVariable = "CLUSTER_REVIEW_PROTOCOL"

    /// The default longest line the coordinator reads from a module, in bytes without the newline
    /// (1 MiB): 16 workers each holding a line at the limit stay within the coordinator's memory
    /// budget, and a valid answer of 40 findings at the `AnswerLimits` still fits.
    public static let defaultMaxLineBytes = 1 << 20

    /// The exit status of a module started without the protocol variable (EX_USAGE).
    public static let exitStartedByHand: Int32 = 64

    /// The exit status of a module offered no version it speaks (EX_PROTOCOL).
    public static let exitNoCommonVersion: Int32 = 76

    /// Parses the offered versions, e.g. `"1,2"` → `[1, 2]`; nil when the variable is absent,
    /// an empty list when it holds nothing usable.
    public static func offeredVersions(_ value: String?) -> [Int]? {
        guard let value else { return nil }
        return value.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: " ")) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var result = self
        while result.first == set { result = result.dropFirst() }
        while result.last == set { result = result.dropLast() }
        return result
    }
}

/// The protocol's former name: a module and a plugin are one thing, called a module.
@available(*, deprecated, renamed: "ModuleProtocol")
public typealias PluginProtocol = ModuleProtocol
