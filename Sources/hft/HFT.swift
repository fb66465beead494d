import ArgumentParser

/// `hft`: the HFTKit command-line tool.
@main
struct HFT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hft",
        abstract: "HFTKit: market connectivity for trading systems.",
        discussion: """
            Subcommands that exist today are listed below. Recording, order books, IPC and services arrive with
            their issues (see README.md).
            """,
        version: HFTVersion.current,
        subcommands: [
            VersionCommand.self, ExchangesCommand.self, StreamCommand.self, SimulateCommand.self, ReplayCommand.self,
            SpecCommand.self, DecimalCommand.self, TimeCommand.self, InstrumentCommand.self, RunCommand.self,
            IPCToolCommand.self,
        ]
    )
}
