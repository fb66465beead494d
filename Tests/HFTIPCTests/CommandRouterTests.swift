import HFTIPC
import Testing

/// The routing rules without sockets: addressing, duplicates, replies, the default pong, counted problems.
@Suite struct CommandRouterTests {
    static func frame(_ command: IPCCommand) -> [UInt8] { try! command.encodeFrame() }
    static func command(_ id: String, from sender: String = "a", to target: String, type: String, payload: JSONValue = [:]) -> IPCCommand {
        IPCCommand(commandID: id, senderID: sender, targetID: target, commandType: type, timestamp: 1, payload: payload)
    }

    @Test func deliversWhatIsAddressedToTheProcessOnly() {
        var router = CommandRouter(processID: "api")
        router.registerHandler(type: "status")
        // ZeroMQ's prefix filter lets "api.gw.status" and "api.*.status" through to process "api": not for it.
        #expect(router.received(frame: Self.frame(Self.command("1", to: "api.gw", type: "status")), from: "a") == .ignore)
        #expect(router.received(frame: Self.frame(Self.command("2", to: "api.*", type: "status")), from: "a") == .ignore)
        let direct = Self.command("3", to: "api", type: "status")
        #expect(router.received(frame: Self.frame(direct), from: "a") == .dispatch(direct))
        let all = Self.command("4", to: "*", type: "status")
        #expect(router.received(frame: Self.frame(all), from: "a") == .dispatch(all))
        #expect(router.statistics.notForUs == 2)
        #expect(router.statistics.dispatched == 2)

        var member = CommandRouter(processID: "api.gw")
        member.registerHandler(type: "status")
        let group = Self.command("5", to: "api.*", type: "status")
        #expect(member.received(frame: Self.frame(group), from: "a") == .dispatch(group))
    }

    @Test func duplicatesAreSuppressedWithinTheWindow() {
        var router = CommandRouter(processID: "b", duplicateWindow: 3)
        router.registerHandler(type: "t")
        let first = Self.command("x", to: "b", type: "t")
        #expect(router.received(frame: Self.frame(first), from: "a") == .dispatch(first))
        #expect(router.received(frame: Self.frame(first), from: "a") == .ignore)
        #expect(router.statistics.duplicates == 1)
        // After three newer ids the window has forgotten "x" (bounded memory).
        for id in ["y", "z", "w"] { _ = router.received(frame: Self.frame(Self.command(id, to: "b", type: "t")), from: "a") }
        #expect(router.received(frame: Self.frame(first), from: "a") == .dispatch(first))
    }

    @Test func repliesCompletePendingRequestsAndLateOnesAreCounted() {
        var router = CommandRouter(processID: "b")
        router.requestSent(commandID: "req1")
        let reply = Self.command("r1", from: "a", to: "b", type: "status_reply", payload: ["in_reply_to": "req1", "ok": true])
        #expect(router.received(frame: Self.frame(reply), from: "a") == .completeRequest(commandID: "req1", reply: reply))
        router.requestSent(commandID: "req2")
        router.requestAbandoned(commandID: "req2")
        let late = Self.command("r2", from: "a", to: "b", type: "status_reply", payload: ["in_reply_to": "req2"])
        #expect(router.received(frame: Self.frame(late), from: "a") == .ignore)
        #expect(router.statistics.repliesMatched == 1)
        #expect(router.statistics.lateReplies == 1)
    }

    @Test func pingIsAnsweredUnlessHandled() {
        var router = CommandRouter(processID: "b")
        let ping = Self.command("p1", to: "b", type: "ping", payload: ["time": 1702345678000000])
        #expect(router.received(frame: Self.frame(ping), from: "a") == .answerPing(ping))
        #expect(CommandRouter.pong(answering: ping) == ["in_reply_to": "p1", "time": 1702345678000000])
        router.registerHandler(type: "ping")
        let second = Self.command("p2", to: "b", type: "ping")
        #expect(router.received(frame: Self.frame(second), from: "a") == .dispatch(second))
    }

    @Test func problemsAreCountedAndLoggedOnce() {
        var router = CommandRouter(processID: "b")
        var logged = 0
        for i in 0..<5 {
            if case .logProblem = router.received(frame: Array("garbage \(i)".utf8) + Array(repeating: 0xFF, count: 70), from: "a") { logged += 1 }
        }
        #expect(router.statistics.malformed == 5)
        #expect(logged == 1)
        logged = 0
        for i in 0..<3 {
            if case .logProblem(let text) = router.received(frame: Self.frame(Self.command("u\(i)", to: "b", type: "unknown")), from: "a") {
                logged += 1
                #expect(text.contains("no handler for command type 'unknown'"))
            }
        }
        #expect(router.statistics.unhandled == 3)
        #expect(logged == 1)
    }

    @Test func subscriptionMessagesAskForWelcomesAndShowSubscribers() {
        let router = CommandRouter(processID: "a")
        #expect(router.subscription([1] + Array("api.gw._ipc_welcome".utf8)) == .sendWelcome(to: "api.gw"))
        #expect(router.subscription([1] + Array("api.gw.".utf8)) == .subscriberJoined("api.gw"))
        #expect(router.subscription([0] + Array("api.gw.".utf8)) == .subscriberLeft("api.gw"))
        #expect(router.subscription([1] + Array("*.".utf8)) == .ignore)
        #expect(router.subscription([1] + Array("api.*.".utf8)) == .ignore)
    }
}
