enum HFTServicesPlaceholder {}
