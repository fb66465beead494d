import ArgumentParser

/// `hft`: the HFTKit command-line tool.
@main
struct HFT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hft",
        abstract: "HFTKit: market connectivity for trading systems.",
        discussion: """
            Stream, replay and simulate exchanges, check specs, operate the IPC command system and run services \
            (the recorder, publisher and console are built-in services). `hft help <subcommand>` shows each \
            one's options and examples; docs/command-line.md has them all.
            """,
        version: HFTVersion.current,
        subcommands: [
            VersionCommand.self, ExchangesCommand.self, StreamCommand.self, SimulateCommand.self, ReplayCommand.self,
            SpecCommand.self, DecimalCommand.self, TimeCommand.self, InstrumentCommand.self, RunCommand.self,
            IPCToolCommand.self,
        ]
    )
}
