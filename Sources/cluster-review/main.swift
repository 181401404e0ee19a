import Foundation
import ReviewCommands

// The CLI lives in ReviewCommands so it can be tested in-process; this file only runs it.
exit(await ClusterReviewCLI.run(Array(CommandLine.arguments.dropFirst())))
