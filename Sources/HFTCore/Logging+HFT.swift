public import Logging

/// Logger labels follow `hftkit.<module>[.<part>]` (`hftkit.websocket`, `hftkit.ipc.commands`) so that a
/// log handler can filter by subsystem.
extension Logger {
    /// A logger for an HFTKit subsystem: `Logger.hft("websocket")` is labeled `hftkit.websocket`.
    public static func hft(_ subsystem: String) -> Logger {
        Logger(label: "hftkit.\(subsystem)")
    }
}
