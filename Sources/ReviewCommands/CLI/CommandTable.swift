/// Every command of the CLI, in the order `--help` lists them.
enum CommandTable {
    static var all: [Command] {
        [DemoCommand.command] + DatabaseCommands.all
            + LifecycleCommands.all
    }
}
