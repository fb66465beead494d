// swift-tools-version: 6.1
//
// HFTKit: market connectivity for trading systems.
// Module map (each module has one job; see README.md "Architecture"):
//   HFTCore        exact decimals, timestamps, instruments, channels, normalized events, errors  (no I/O)
//   CLibWebSockets libwebsockets C binding (+ shim for macros Swift cannot import)
//   CZeroMQ        libzmq C binding
//   HFTWebSocket   libwebsockets transport (service thread, client and server connections)
//   HFTStream      stream runtime: connection state machines, observer queues, the live stream object
//   HFTSimulator   local exchange simulator serving captures over a real WebSocket server
//   HFTBook        order books: structure, checksums, sync recipes (continuity, resync)
//   HFTIPC         ZeroMQ sockets, command system and market-data pub/sub
//   HFTServices    services (callbacks, timers, commands on one serial executor), JSON config, runtime, built-ins
//   hft            the command-line tool
// Benchmarks live in their own package under Benchmarks/ (run with `make bench`), so tests never build them.
import PackageDescription

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import class Foundation.FileManager

/// The spec files in specs/: inputs of the ExchangeSpecPlugin, not sources of the `ExchangeSpecs` target.
let specFiles: [String] = {
    let folder = String(#filePath.dropLast("Package.swift".count)) + "specs"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted()
}()

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "HFTKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HFTCore", targets: ["HFTCore"]),
        .library(name: "HFTWebSocket", targets: ["HFTWebSocket"]),
        .library(name: "HFTIPC", targets: ["HFTIPC"]),
        .library(name: "HFTAdapters", targets: ["HFTAdapters"]),
        .library(name: "HFTExchanges", targets: ["HFTExchanges"]),
        .library(name: "HFTStream", targets: ["HFTStream"]),
        .library(name: "HFTSimulator", targets: ["HFTSimulator"]),
        .library(name: "HFTBook", targets: ["HFTBook"]),
        .library(name: "HFTServices", targets: ["HFTServices"]),
        .executable(name: "hft", targets: ["hft"]),
        .plugin(name: "ExchangeSpecPlugin", targets: ["ExchangeSpecPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // C bindings. libzmq is linked without pkg-config on purpose: its --cflags carry `-isystem`,
        // which SwiftPM rejects, and zmq.h needs no flags.
        .systemLibrary(
            name: "CLibWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev"])]
        ),
        .systemLibrary(
            name: "CZeroMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),

        .target(
            name: "HFTCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HFTWebSocket",
            dependencies: ["HFTCore", "CLibWebSockets", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Market-data subscribers deliver through HFTStream's observer queues (a remote stream looks local).
        .target(
            name: "HFTIPC",
            dependencies: [
                "HFTCore", "CZeroMQ", "HFTStream",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The spec compiler: a library (parse → validate → model → render), its command-line driver, and the
        // build-tool plugin that runs it for specs/*.json.
        .target(
            name: "HFTCodegen",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hft-codegen",
            dependencies: ["HFTCodegen", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "ExchangeSpecPlugin",
            capability: .buildTool(),
            dependencies: ["hft-codegen"]
        ),
        // specs/ as a target folder: adding or removing a spec re-plans the build (see the plugin's notes).
        .target(
            name: "ExchangeSpecs",
            path: "specs",
            exclude: specFiles,
            swiftSettings: swiftSettings
        ),
        // What generated adapters stand on: zero-allocation JSON scanner, symbol table, adapter protocol,
        // connection planner.
        .target(
            name: "HFTAdapters",
            dependencies: ["HFTCore", "CJSONMarks"],
            swiftSettings: swiftSettings
        ),
        // Recorded sessions: reading captures and replaying them through adapters (tools, tests, simulator).
        .target(
            name: "HFTCapture",
            dependencies: ["HFTCore", "HFTAdapters", "HFTBook"],
            swiftSettings: swiftSettings
        ),
        // Code generated from the specs, plus the hand-written types it fills in.
        .target(
            name: "HFTExchanges",
            dependencies: ["HFTCore", "HFTAdapters"],
            swiftSettings: swiftSettings,
            plugins: ["ExchangeSpecPlugin"]
        ),
        // Carry-less multiplication (PCLMULQDQ, or a portable loop) for combining cached CRCs in HFTBook.
        .target(name: "CCarrylessMultiply"),
        // Byte classes of 32 bytes of JSON per step (SSE2), for the scanner's member fast path.
        .target(name: "CJSONMarks"),
        // Order books: the book structure, checksums and sync recipes (continuity, resync), all pure values.
        .target(
            name: "HFTBook",
            dependencies: ["HFTCore", "HFTAdapters", "CCarrylessMultiply"],
            swiftSettings: swiftSettings
        ),
        // Live streams: pure connection state machines and observer queues, driven by the lws transport.
        .target(
            name: "HFTStream",
            dependencies: [
                "HFTCore", "HFTAdapters", "HFTWebSocket", "HFTExchanges", "HFTBook",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The local exchange simulator: a WebSocket server replaying captures, with fault injection.
        .target(
            name: "HFTSimulator",
            dependencies: [
                "HFTCore", "HFTCapture", "HFTWebSocket", "HFTAdapters", "HFTExchanges", "HFTBook",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Services: the layer strategies and gateways are written in (serial executor per service, JSON
        // configuration, registry, runtime with graceful shutdown, built-in recorder/publisher/console).
        .target(
            name: "HFTServices",
            dependencies: [
                "HFTCore", "HFTAdapters", "HFTExchanges", "HFTStream", "HFTIPC", "HFTCapture",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hft",
            dependencies: [
                "HFTCore", "HFTWebSocket", "HFTIPC", "HFTExchanges", "HFTCodegen", "HFTCapture", "HFTAdapters",
                "HFTStream", "HFTSimulator", "HFTBook", "HFTServices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "HFTCoreTests",
            dependencies: ["HFTCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HFTCodegenTests",
            dependencies: ["HFTCodegen", "HFTExchanges"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HFTAdaptersTests",
            dependencies: ["HFTAdapters", "HFTCore"],
            swiftSettings: swiftSettings
        ),
        // Conformance tests generated from every spec, over captures copied into Captures/.
        .testTarget(
            name: "ExchangeConformanceTests",
            dependencies: ["HFTExchanges", "HFTAdapters", "HFTCapture", "HFTCore"],
            resources: [.copy("Captures")],
            swiftSettings: swiftSettings,
            plugins: ["ExchangeSpecPlugin"]
        ),
        .testTarget(
            name: "HFTWebSocketTests",
            dependencies: ["HFTWebSocket"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HFTStreamTests",
            dependencies: ["HFTStream", "HFTSimulator", "HFTCapture", "HFTCore", "HFTAdapters", "HFTExchanges", "HFTWebSocket", "HFTBook"],
            swiftSettings: swiftSettings
        ),
        // The command-line tool: argument validation, and `hft simulate` + `hft stream` end to end as processes.
        .testTarget(
            name: "HFTCommandLineTests",
            dependencies: ["hft", "HFTCapture", "HFTAdapters", "HFTExchanges", "HFTCore", "HFTSimulator"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HFTBookTests",
            dependencies: ["HFTBook", "HFTCore", "HFTAdapters", "HFTCapture", "HFTExchanges"],
            swiftSettings: swiftSettings
        ),
        // Services: configuration, executor, callbacks over a simulator-backed stream, `hft run` processes, the demo.
        .testTarget(
            name: "HFTServicesTests",
            dependencies: ["HFTServices", "HFTStream", "HFTSimulator", "HFTCapture", "HFTCore", "HFTIPC", "hft"],
            swiftSettings: swiftSettings
        ),
        // IPC over real ZeroMQ sockets, `hft ipc` processes and real Python (pyzmq) processes.
        .testTarget(
            name: "HFTIPCTests",
            dependencies: ["HFTIPC", "HFTCore", "HFTStream", "HFTCapture", "HFTAdapters", "HFTExchanges", "hft"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BindingsTests",
            dependencies: ["HFTWebSocket", "HFTIPC", "CLibWebSockets", "CZeroMQ"],
            swiftSettings: swiftSettings
        ),
    ]
)

// Benchmarks (ordo-one/benchmark) are added only when HFTKIT_BENCHMARKS is set, as `make bench` does, so that
// `swift build` and `swift test` never build the benchmark harness.
if getenv("HFTKIT_BENCHMARKS") != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    )
    /// An ordo-one/benchmark executable in Benchmarks/<name>.
    func benchmark(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
        .executableTarget(
            name: name,
            dependencies: dependencies + [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/\(name)",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
    package.targets += [
        benchmark("DecimalBenchmarks", ["HFTCore"]),
        benchmark("ParseBenchmarks", ["HFTCore", "HFTAdapters", "HFTCapture", "HFTCodegen", "HFTExchanges"]),
        benchmark("QueueBenchmarks", ["HFTCore", "HFTStream"]),
        // The baselines of the book benchmark: a C sorted-array book side; zlib's crc32.
        .target(name: "CBookBaseline", path: "Benchmarks/CBookBaseline", linkerSettings: [.linkedLibrary("z")]),
        benchmark("BookBenchmarks", ["HFTCore", "HFTAdapters", "HFTCapture", "HFTExchanges", "HFTBook", "CBookBaseline"]),
        // The baseline of the wire-to-observer benchmark: a bare libwebsockets client in C that only counts frames.
        .target(name: "BareLWSClient", dependencies: ["CLibWebSockets"], path: "Benchmarks/BareLWSClient"),
        // The baseline of the pub/sub benchmark: libzmq PUB/SUB in C, same frame sizes, no encoding.
        .target(name: "CPubSubBaseline", path: "Benchmarks/CPubSubBaseline", linkerSettings: [.linkedLibrary("zmq")]),
        benchmark("PubSubBenchmarks", ["HFTCore", "HFTIPC", "HFTStream", "CPubSubBaseline"]),
        // The baseline of the command round-trip benchmark: the same PUB/SUB ping-pong in C on libzmq.
        .target(name: "CCommandBaseline", dependencies: ["CZeroMQ"], path: "Benchmarks/CCommandBaseline"),
        benchmark("CommandBenchmarks", ["HFTIPC", "CCommandBaseline"]),
        benchmark("StreamBenchmarks", [
            "HFTCore", "HFTAdapters", "HFTCapture", "HFTExchanges", "HFTSimulator", "HFTStream", "HFTWebSocket", "BareLWSClient",
        ]),
    ]
}
