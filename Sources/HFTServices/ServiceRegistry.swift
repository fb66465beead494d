import Synchronization

/// Maps `class_name` to service types. The built-ins (``ConsoleService``, ``RecorderService``,
/// ``PublisherService``, ``PingPongService``) are registered by default; applications add theirs with
/// ``register(_:)`` or `HFTApp.main(services:)`.
///
/// Thread safety: every method may be called from any thread (a locked dictionary).
public final class ServiceRegistry: Sendable {
    /// The registry `hft run` and ``HFTApp`` use.
    public static let shared = ServiceRegistry()

    private let types: Mutex<[String: any Service.Type]>

    /// A registry with the built-in services.
    public init() {
        var builtIns: [String: any Service.Type] = [:]
        for type in Self.builtIns { builtIns[type.className] = type }
        types = Mutex(builtIns)
    }

    static var builtIns: [any Service.Type] {
        [ConsoleService.self, RecorderService.self, PublisherService.self, PingPongService.self]
    }

    /// Adds (or replaces) a type under its ``Service/className``.
    public func register(_ type: any Service.Type) {
        types.withLock { $0[type.className] = type }
    }

    public func type(named className: String) -> (any Service.Type)? {
        types.withLock { $0[className] }
    }

    /// Registered class names, sorted.
    public var classNames: [String] { types.withLock { $0.keys.sorted() } }
}
