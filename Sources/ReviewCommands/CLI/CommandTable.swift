/// Every command of the CLI, in the order `--help` lists them.
enum CommandTable {
    static var all: [Command] {
        [DemoCommand.command]
            + FilingCommands.all + [EvaluateCommand.command]
            + [SubmitCommand.command, StatusCommand.status, StatusCommand.list, StatusCommand.report, StatsCommand.command, SimulateCommand.command, ServeCommand.command, WebCommand.command]
            + NationalCommands.all
            + LifecycleCommands.all
            + RoundsCommands.all
            + PanelCommands.all + [InboxCommand.command]
            + PublishCommands.all
            + PluginsCommands.all
            + UsersCommands.all
            + DatabaseCommands.all + [InstallCommand.command]
    }
}
