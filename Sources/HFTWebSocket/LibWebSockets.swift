import CLibWebSockets

/// Facts about the linked libwebsockets library, and the small helpers every lws user needs.
///
/// The transport proper (service thread, connection state machine) is built on top of this module by the
/// live-streams work; this file holds what does not depend on it.
public enum LibWebSockets {
    /// The library's version string, e.g. `4.1.6-v4.1.6`.
    public static var version: String {
        String(cString: lws_get_library_version())
    }

    /// Bytes of headroom lws needs in front of every payload passed to `lws_write()` (`LWS_PRE`).
    public static var preHeadroom: Int {
        Int(hft_lws_pre())
    }

    /// Routes libwebsockets' own log lines: by default lws logs errors and warnings to stderr.
    /// `levels` is a mask of `LLL_*` values; 0 silences lws.
    public static func setLogLevels(_ levels: Int32) {
        lws_set_log_level(levels, nil)
    }
}

/// An lws context in client role: owns the `lws_context` and destroys it exactly once.
///
/// Thread safety: create it, service it and destroy it on one thread (the service thread); only
/// ``cancelService()`` may be called from other threads.
public final class LWSClientContext {
    public let handle: OpaquePointer

    /// Creates a client-only context (no listening port) with OpenSSL initialized.
    /// - Throws: ``LWSError`` when lws refuses (it logs the reason itself).
    public init() throws(LWSError) {
        var info = lws_context_creation_info()
        info.port = hft_lws_context_port_no_listen()
        info.options = hft_lws_option_do_ssl_global_init()
        guard let context = lws_create_context(&info) else {
            throw LWSError(message: "lws_create_context failed (see libwebsockets' log above)")
        }
        handle = context
    }

    /// Wakes the service thread (safe from any thread).
    public func cancelService() {
        lws_cancel_service(handle)
    }

    deinit {
        lws_context_destroy(handle)
    }
}

/// A libwebsockets call failed.
public struct LWSError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
