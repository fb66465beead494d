import HFTExchanges
import Testing

/// Hand-written companion of the generated suites (a test target whose only sources are generated reports no
/// tests on Linux).
@Suite struct ConformanceSuiteTests {
    @Test func everySpecIsCompiledIn() {
        #expect(!ExchangeCatalog.all.isEmpty)
        for d in ExchangeCatalog.all {
            #expect(d.adapter.configuration.exchange == d.id)
        }
    }
}
