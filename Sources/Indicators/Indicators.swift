enum IndicatorsPlaceholder {}
