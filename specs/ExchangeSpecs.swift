// This folder holds one JSON spec per exchange (`<exchange>.json`), compiled by the ExchangeSpecPlugin.
// It is also the folder of the `ExchangeSpecs` target, so that SwiftPM notices added and removed specs
// (a change in a target folder re-plans the build). The target has no other job.

/// The spec files compiled into this build are listed by `HFTExchanges.ExchangeCatalog.all`.
enum ExchangeSpecs {}
