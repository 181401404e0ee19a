import IndicatorKit

/// A command could not do its work for a reason a person can act on; printed in zh and en.
struct CommandFailure: Error, Sendable, CustomStringConvertible {
    var message: LocalizedText
    var exitCode: Int32 = ExitCode.failure

    init(zh: String, en: String, exitCode: Int32 = ExitCode.failure) {
        self.message = LocalizedText(zh: zh, en: en)
        self.exitCode = exitCode
    }

    /// The English message (what a log line shows).
    var description: String { message.en }
}
