// import IndicatorKit; import Indicators; ModuleRunner.run(SupplyChainModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
